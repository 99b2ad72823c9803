// Entry of the data-parallel helper thread. Worker threads do not inherit tsx's loader hooks from `--import tsx`,
// so this plain-JS entry registers them and then loads the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./parallel-worker.ts");
