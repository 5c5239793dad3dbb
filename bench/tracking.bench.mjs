// Tracking benchmarks of issue 3: track() throughput and MLflow mirroring.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pipeline, track, typescript } from "../dist/index.js";
import { report } from "./report.mjs";

const REPO = resolve(import.meta.dirname, "..");

function mlflowUri() {
  if (process.env.MLFLOW_TRACKING_URI) return process.env.MLFLOW_TRACKING_URI;
  const state = join(REPO, ".cache", "mlflow.env");
  return existsSync(state) ? /^MLFLOW_TRACKING_URI=(.+)$/m.exec(readFileSync(state, "utf8"))?.[1]?.trim() : undefined;
}

/** One run of a TypeScript step making 1,000,000 track() calls in `dir`: times in ms, run log size in bytes. */
export async function runMillionTracks(dir) {
  let inTaskMs = 0;
  const started = performance.now();
  const log = await pipeline({
    steps: [
      typescript({
        name: "track a million",
        function: () => {
          const t0 = performance.now();
          for (let i = 0; i < 1_000_000; i++) track({ [`key_${i % 1000}`]: i }, Math.floor(i / 1000));
          inTaskMs = performance.now() - t0;
        },
      }),
    ],
  }).execute({ cwd: dir, env: {}, warn: () => {}, runId: "million" });
  const totalMs = performance.now() - started;
  return { status: log.status, inTaskMs, totalMs, logBytes: statSync(join(dir, ".run_log_store", "million.json")).size };
}

async function millionTracks() {
  const dir = mkdtempSync(join(tmpdir(), "runnable-bench-"));
  try {
    const { status, inTaskMs, totalMs, logBytes } = await runMillionTracks(dir);
    const what = "1,000,000 track() calls over 1,000 keys x 1,000 steps";
    report({ id: "tracking.million-in-task", label: `${what}, in the task`, value: inTaskMs, unit: "ms", target: "<= 2000" });
    report({
      id: "tracking.million-whole-run",
      label: `${what}, whole run incl. run log write`,
      value: totalMs,
      unit: "ms",
      note: `run log ${(logBytes / 1e6).toFixed(1)} MB (${status})`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function mirrorToMlflow() {
  const uri = mlflowUri();
  if (!uri) {
    console.log("MLflow mirroring: skipped (start a server with scripts/mlflow-server.sh start)");
    return;
  }
  const { createMlflowTracker } = await import("../dist/plugins/experiment-tracker/mlflow/mlflow.js");
  const warnings = [];
  const tracker = createMlflowTracker({ server_url: uri, timeout_ms: 30_000 }, { cwd: REPO, env: {}, warn: (m) => warnings.push(m) });
  const runId = `bench-${Date.now().toString(36)}`;
  await tracker.startRun({ runId, tag: "bench", pipelineName: "bench", gitCommit: null });
  const started = performance.now();
  const now = Date.now();
  for (let batch = 0; batch < 100; batch++) {
    const points = Array.from({ length: 1000 }, (_, i) => ({
      key: `m${i % 10}`,
      step: batch * 100 + Math.floor(i / 10),
      value: Math.random(),
      time_ms: now + batch,
    }));
    await tracker.publish("bench", points);
  }
  await tracker.endRun("SUCCESS");
  const elapsed = performance.now() - started;
  const stats = tracker.stats();
  report({
    id: "tracking.mlflow-100000",
    label: "MLflow mirroring of 100,000 metric points",
    value: elapsed,
    unit: "ms",
    note: `${Math.round(100_000 / (elapsed / 1000))} points/s, ${stats.requests} requests${warnings.length ? `, warnings: ${warnings.join("; ")}` : ""}`,
  });
}

export async function trackingBenchmarks() {
  await millionTracks();
  await mirrorToMlflow();
}
