import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { REPO } from "./cli.js";

/** Why the step entry points cannot be used yet, or undefined once `runnable --help` lists them. */
export const entryPointsMissing: string | undefined = (() => {
  try {
    const help = execFileSync(process.execPath, [join(REPO, "bin/runnable.js"), "--help"], { encoding: "utf8" });
    return /execute-single-node/.test(help) && /\bfan\b/.test(help)
      ? undefined
      : "`runnable execute-single-node` / `runnable fan` are not built yet (issue 9, lead)";
  } catch {
    return "bin/runnable.js does not run (npm run build)";
  }
})();

type Json = Record<string, any>;

const sortedKeys = (record: Json | undefined): Json =>
  Object.fromEntries(
    Object.keys(record ?? {})
      .sort()
      .map((key) => [key, record![key]]),
  );

/** A catalog entry without what differs between runs (paths with the run id; execution logs' hashes). */
function catalogEntry(entry: Json): Json {
  const log = String(entry["name"]).includes(".execution.log");
  return { name: entry["name"], stage: entry["stage"], ...(log ? {} : { data_hash: entry["data_hash"] }) };
}

function step(log: Json): Json {
  return {
    status: log["status"],
    step_type: log["step_type"],
    mock: log["mock"],
    attempts: (log["attempts"] ?? []).map((a: Json) => ({
      attempt_number: a["attempt_number"],
      status: a["status"],
      message: a["message"],
      parameters: a["parameters"],
    })),
    user_defined_metrics: log["user_defined_metrics"],
    data_catalog: (log["data_catalog"] ?? [])
      .map(catalogEntry)
      .sort((a: Json, b: Json) => `${a["stage"]}${a["name"]}`.localeCompare(`${b["stage"]}${b["name"]}`)),
    branches: Object.fromEntries(Object.entries(sortedKeys(log["branches"])).map(([name, branch]) => [name, branchOf(branch)])),
  };
}

function branchOf(branch: Json): Json {
  return { status: branch["status"], parameters: branch["parameters"], steps: stepsOf(branch["steps"]) };
}

function stepsOf(steps: Json | undefined): Json {
  return Object.fromEntries(Object.entries(sortedKeys(steps)).map(([name, log]) => [name, step(log)]));
}

/**
 * What must be equal between a run under `local` and the same run under Argo (emulated): statuses,
 * attempts (number, status, message, parameters), metrics, catalog entries, parameters, branches.
 * Left out: run ids, times, code identities, run_config, execution-log hashes.
 */
export function comparableRunLog(runLog: Json): Json {
  return { status: runLog["status"], tag: runLog["tag"], parameters: runLog["parameters"], steps: stepsOf(runLog["steps"]) };
}

/** One scenario: a pipeline, its parameters file, and whether it should end SUCCESS. */
export interface Scenario {
  pipeline: string;
  /** The pipeline needs its steps to share one working directory (not so in containers or pods). */
  sharedWorkingDirectory?: boolean;
  parametersFile?: string;
  status: "SUCCESS" | "FAIL";
}

/** The pipelines both executors run (chains, on_failure, retries, parameters, catalog, parallel, map, dag, map-in-map). */
export const SCENARIOS: Scenario[] = [
  { pipeline: "examples/contrived.yaml", status: "SUCCESS" },
  { pipeline: "examples/on-failure.yaml", status: "SUCCESS" },
  { pipeline: "examples/default-fail.yaml", status: "FAIL" },
  { pipeline: "examples/retry.yaml", status: "SUCCESS" },
  { pipeline: "examples/concepts/task_shell_parameters.yaml", parametersFile: "examples/concepts/parameters.yaml", status: "SUCCESS" },
  // Steps of catalog.yaml rely on a folder an earlier step made in the shared working directory: true
  // for process pods (one cwd), not for containers (each starts from the image), as on a real cluster.
  { pipeline: "examples/catalog.yaml", status: "SUCCESS", sharedWorkingDirectory: true },
  { pipeline: "examples/catalog-pods.yaml", status: "SUCCESS" },
  { pipeline: "examples/concepts/parallel.yaml", status: "SUCCESS" },
  { pipeline: "examples/parallel-fail.yaml", status: "FAIL" },
  { pipeline: "examples/concepts/map_shell.yaml", status: "SUCCESS" },
  { pipeline: "examples/concepts/map_reducer.yaml", status: "SUCCESS" },
  { pipeline: "examples/concepts/nested_dag.yaml", status: "SUCCESS" },
  { pipeline: "examples/concepts/nesting.yaml", status: "SUCCESS" },
  { pipeline: "examples/python/map.yaml", status: "SUCCESS" },
  // runnable 0.50's conditional (branch tasks guarded by `when`) and loop (a recursive template)
  { pipeline: "examples/concepts/conditional.yaml", status: "SUCCESS" },
  { pipeline: "examples/concepts/loop.yaml", status: "SUCCESS" },
  { pipeline: "examples/concepts/control_nesting.yaml", status: "SUCCESS" },
  { pipeline: "examples/control-fail.yaml", status: "FAIL" },
];
