// `npm run bench`: prints the benchmark figures, each against its target and against the figure recorded
// for it in docs/performance.md (bench/report.mjs), then a summary with every REGRESSION of more than 20 %
// (never fails on timing: the exit code stays 0). `npm run bench -- <group> [<group>...]` runs those groups;
// `--record` writes this run's figures into docs/performance.md as the new reference.
// Groups run in this order so that the file-heavy ones meet a rested disk (deleting tens of thousands of
// files slows file creation for a while afterwards).
import { argoBenchmarks } from "./argo.bench.mjs";
import { compositeBenchmarks } from "./composite.bench.mjs";
import { controlBenchmarks } from "./control.bench.mjs";
import { durableBenchmarks } from "./durable.bench.mjs";
import { engineBenchmarks } from "./engine.bench.mjs";
import { executorBenchmarks } from "./executors.bench.mjs";
import { k8sJobBenchmarks } from "./k8s-job.bench.mjs";
import { largePipelineBenchmarks } from "./large-pipeline.bench.mjs";
import { objectsBenchmarks } from "./objects.bench.mjs";
import { pythonBenchmarks } from "./python.bench.mjs";
import { pythonSdkBenchmarks } from "./python-sdk.bench.mjs";
import { finishReport, recordRequested } from "./report.mjs";
import { runLogCheckBenchmarks } from "./run-log-check.bench.mjs";
import { scaleBenchmarks } from "./scale.bench.mjs";
import { slurmBenchmarks } from "./slurm.bench.mjs";
import { storesBenchmarks } from "./stores.bench.mjs";
import { sweepBenchmarks } from "./sweep.bench.mjs";
import { trackingBenchmarks } from "./tracking.bench.mjs";
import { uiBenchmarks } from "./ui.bench.mjs";

const groups = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
/** Whether a group runs: every default group when none is named, else the named ones. */
const wanted = (group, byDefault = true) => (groups.length === 0 ? byDefault : groups.includes(group));
const GROUPS = "engine composite control durable executors k8s tracking python argo python-sdk ui runlog stores scale large slurm objects sweep".split(" ");
for (const group of groups.filter((name) => !GROUPS.includes(name))) console.log(`unknown benchmark group ${group}: the groups are ${GROUPS.join(", ")}`);
if (wanted("engine")) await engineBenchmarks();
if (wanted("composite")) await compositeBenchmarks();
if (wanted("control")) await controlBenchmarks();
if (wanted("durable")) await durableBenchmarks();
if (wanted("executors")) await executorBenchmarks();
if (wanted("k8s")) await k8sJobBenchmarks();
if (wanted("tracking")) await trackingBenchmarks();
if (wanted("python")) await pythonBenchmarks();
if (wanted("argo")) await argoBenchmarks();
if (wanted("python-sdk")) await pythonSdkBenchmarks();
if (wanted("ui")) await uiBenchmarks();
if (wanted("runlog")) await runLogCheckBenchmarks();
if (wanted("stores")) await storesBenchmarks();
if (wanted("scale")) await scaleBenchmarks();
if (wanted("large")) await largePipelineBenchmarks();
if (wanted("slurm")) await slurmBenchmarks();
// Needs runnable 0.50.0's virtualenv (made once by scripts/runnable-050-venv.sh): only when asked for.
if (wanted("objects", false)) await objectsBenchmarks();
if (wanted("sweep")) await sweepBenchmarks();
finishReport({ record: recordRequested(), title: `npm run bench${groups.length ? ` -- ${groups.join(" ")}` : ""}` });
