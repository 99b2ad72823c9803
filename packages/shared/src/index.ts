export * from "./emotions";
export * from "./errors";
export * from "./config";
export * from "./types";
export * from "./roles";
