// Types of `require("runnable-ts/testing")`: the ES module's exports and load() (see entry.cjs).
type Loaded = typeof import("../dist/testing/index.js");
declare const entry: Loaded & { load(): Promise<Loaded> };
export = entry;
