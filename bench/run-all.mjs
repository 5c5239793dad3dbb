// `npm run bench`: prints the benchmark figures (never fails on timing). `npm run bench -- <group>` runs one group.
import { compositeBenchmarks } from "./composite.bench.mjs";
import { engineBenchmarks } from "./engine.bench.mjs";
import { trackingBenchmarks } from "./tracking.bench.mjs";

const only = process.argv[2];
if (!only || only === "engine") await engineBenchmarks();
if (!only || only === "tracking") await trackingBenchmarks();
if (!only || only === "composite") await compositeBenchmarks();
