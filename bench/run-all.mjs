// `npm run bench`: prints the benchmark figures (never fails on timing). `npm run bench -- <group>` runs one group.
// Groups run in this order so that the file-heavy ones meet a rested disk (deleting tens of thousands of
// files slows file creation for a while afterwards).
import { argoBenchmarks } from "./argo.bench.mjs";
import { compositeBenchmarks } from "./composite.bench.mjs";
import { controlBenchmarks } from "./control.bench.mjs";
import { durableBenchmarks } from "./durable.bench.mjs";
import { engineBenchmarks } from "./engine.bench.mjs";
import { executorBenchmarks } from "./executors.bench.mjs";
import { k8sJobBenchmarks } from "./k8s-job.bench.mjs";
import { objectsBenchmarks } from "./objects.bench.mjs";
import { pythonBenchmarks } from "./python.bench.mjs";
import { pythonSdkBenchmarks } from "./python-sdk.bench.mjs";
import { runLogCheckBenchmarks } from "./run-log-check.bench.mjs";
import { scaleBenchmarks } from "./scale.bench.mjs";
import { slurmBenchmarks } from "./slurm.bench.mjs";
import { storesBenchmarks } from "./stores.bench.mjs";
import { sweepBenchmarks } from "./sweep.bench.mjs";
import { trackingBenchmarks } from "./tracking.bench.mjs";
import { uiBenchmarks } from "./ui.bench.mjs";

const only = process.argv[2];
if (!only || only === "engine") await engineBenchmarks();
if (!only || only === "composite") await compositeBenchmarks();
if (!only || only === "control") await controlBenchmarks();
if (!only || only === "durable") await durableBenchmarks();
if (!only || only === "executors") await executorBenchmarks();
if (!only || only === "k8s") await k8sJobBenchmarks();
if (!only || only === "tracking") await trackingBenchmarks();
if (!only || only === "python") await pythonBenchmarks();
if (!only || only === "argo") await argoBenchmarks();
if (!only || only === "python-sdk") await pythonSdkBenchmarks();
if (!only || only === "ui") await uiBenchmarks();
if (!only || only === "runlog") await runLogCheckBenchmarks();
if (!only || only === "stores") await storesBenchmarks();
if (!only || only === "scale") await scaleBenchmarks();
if (!only || only === "slurm") await slurmBenchmarks();
// Needs runnable 0.50.0's virtualenv (made once by scripts/runnable-050-venv.sh): only when asked for.
if (only === "objects") await objectsBenchmarks();
if (!only || only === "sweep") await sweepBenchmarks();
