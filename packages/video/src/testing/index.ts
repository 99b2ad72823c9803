export * from "./clips";
