import path from "node:path";

/** Where `npm start` advertises the URL of the embedded database it serves, for other local processes. */
export const embeddedServerFile = (dataDir: string): string => path.join(dataDir, "embedded-db.json");
