// Types of `require("runnable-ts")`: the ES module's exports and load() (see entry.cjs).
type Loaded = typeof import("../dist/index.js");
declare const entry: Loaded & { load(): Promise<Loaded> };
export = entry;
