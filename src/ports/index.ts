export type * from "./catalog.js";
export type * from "./executor.js";
export type * from "./experiment-tracker.js";
export type * from "./plugin.js";
export type * from "./run-log-store.js";
export type * from "./secrets.js";
export type * from "./task-runner.js";
export { definePlugin } from "./plugin.js";
