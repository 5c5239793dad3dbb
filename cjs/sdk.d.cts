// Types of `require("runnable-ts/sdk")`: the ES module's exports and load() (see entry.cjs).
type Loaded = typeof import("../dist/sdk/index.js");
declare const entry: Loaded & { load(): Promise<Loaded> };
export = entry;
