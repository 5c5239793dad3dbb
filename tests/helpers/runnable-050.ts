import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { REPO } from "./cli.js";
import { type Generation, type Normalised, normalise } from "./runnable-050-normalise.js";

export { type AllowedDifference, type Comparison, compare, type Difference, formatDifferences } from "./runnable-050-compare.js";
export { type Generation, type Normalised, normalise } from "./runnable-050-normalise.js";

/** runnable 0.50.0's examples (01-tasks … 11-jobs, common, configs), copied verbatim from its tag. */
export const EXAMPLES_050 = join(REPO, "tests", "fixtures", "runnable-050", "examples");
/** The recorded 0.50.0 results: `<case id>.json` under this folder. */
export const RESULTS_050 = join(REPO, "tests", "fixtures", "runnable-050");
/** The run id both generations are given. */
export const RUN_ID = "diff-050";

const VENV_SCRIPT = join(REPO, "scripts", "runnable-050-venv.sh");
const PROCESS_TIMEOUT_MS = 240_000;

/** How to run one example: the pipeline (YAML or SDK script), config, parameters, env, and a retry. */
export interface ExampleRun {
  /** The pipeline, relative to `examples/` (`01-tasks/python_tasks.py`). */
  example: string;
  /** Services config relative to `examples/` (YAML: `-c`; SDK: `RUNNABLE_CONFIGURATION_FILE`). */
  config?: string;
  /** Initial parameters relative to `examples/` (YAML: `-p`; SDK: `RUNNABLE_PARAMETERS_FILE`, on the first run of a retry case only). */
  parameters?: string;
  /** Extra environment for every command of the case. */
  env?: Record<string, string>;
  /**
   * Run twice as runnable 0.50's retry examples do: first with `should_pass=false`, then again with
   * `should_pass=true` and `RUNNABLE_RETRY_RUN_ID` (plus `env`).
   */
  retry?: { env?: Record<string, string> };
}

/** What running an example left: its normalised result, the raw run log, and each command's output. */
export interface ExampleResult {
  normalised: Normalised;
  runLog: Record<string, any> | null;
  /** stdout + stderr of each command, for failure messages. */
  outputs: string[];
  ms: number;
}

/** Options of a run: the 0.50 venv's python (also runs ours' Python tasks and SDK scripts), keep the folder. */
export interface RunOptions {
  python: string;
  /** Keep the scratch folder (its path is printed); also with RUNNABLE_050_KEEP=1. */
  keep?: boolean;
}

/** The venv's python when the cached venv has been installed (nothing is installed here), else null. */
export function installed050(): string | null {
  const venv = process.env["RUNNABLE_050_VENV"] || join(homedir(), ".cache", "runnable-ts", "runnable-050-venv");
  const python = join(venv, "bin", "python");
  return existsSync(python) && existsSync(join(venv, ".runnable-050-ready")) ? python : null;
}

/** Creates the venv if needed (`scripts/runnable-050-venv.sh`) and returns its python; throws with the script's output. */
export async function ensure050(): Promise<string> {
  const result = await runProcess("bash", [VENV_SCRIPT], { cwd: REPO, env: process.env as Record<string, string>, timeoutMs: 1_200_000 });
  if (result.code !== 0) throw new Error(`scripts/runnable-050-venv.sh failed (exit ${result.code}):\n${result.stderr.slice(-4000)}`);
  return result.stdout.trim().split("\n").pop()!;
}

interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in its own process group; on timeout the whole group is killed (exit 124). */
function runProcess(command: string, args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<ProcessResult> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {}
    }, options.timeoutMs ?? PROCESS_TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      done({ code: 127, stdout, stderr: `${stderr}${error.message}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      done({
        code: timedOut ? 124 : (code ?? 128),
        stdout,
        stderr: timedOut ? `${stderr}\n(killed after ${options.timeoutMs ?? PROCESS_TIMEOUT_MS} ms)` : stderr,
      });
    });
  });
}

/** The environment both generations get: no inherited runnable/Python settings, 0.50's test-suite fixtures. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(RUNNABLE_|runnable_|PYTHON|VIRTUAL_ENV$|MLFLOW_)/.test(name)) continue;
    env[name] = value;
  }
  // What runnable 0.50.0's own example tests set (tests/test_pipeline_examples.py): a fixed coin toss
  // for the Conditional examples and an environment parameter the parameter examples assert on.
  return { ...env, NO_COLOR: "1", FIX_RANDOM_TOSS: "heads", RUNNABLE_PRM_envvar: "from env", PYDEVD_DISABLE_FILE_VALIDATION: "1" };
}

type Command = { command: string; args: string[]; env: Record<string, string> };

/** The command that runs the example once (`retrying`: the retry of a failed first run). */
function commandFor(generation: Generation, run: ExampleRun, dir: string, python: string, retrying: boolean): Command {
  const file = `examples/${run.example}`;
  const config = run.config ? `examples/${run.config}` : undefined;
  const parameters = run.parameters ? `examples/${run.parameters}` : undefined;
  const env: Record<string, string> = { ...baseEnv(), PYTHONPATH: dir, ...run.env };
  if (generation === "ours") {
    // Ours runs Python tasks, notebooks and SDK scripts with the same interpreter (pandas, ipykernel);
    // python/ first on PYTHONPATH makes `import runnable` this checkout's package, not the installed 0.50.
    Object.assign(env, { RUNNABLE_PYTHON: python, RUNNABLE_NOTEBOOK_PYTHON: python, RUNNABLE_TS_CLI: join(REPO, "bin", "runnable.js") });
  }
  if (run.retry) Object.assign(env, { should_pass: retrying ? "true" : "false" }, retrying ? run.retry.env : {});
  if (file.endsWith(".py")) {
    if (generation === "ours") env["PYTHONPATH"] = `${join(REPO, "python")}:${dir}`;
    Object.assign(env, retrying ? { RUNNABLE_RETRY_RUN_ID: RUN_ID } : { RUNNABLE_RUN_ID: RUN_ID });
    if (config) env["RUNNABLE_CONFIGURATION_FILE"] = config;
    // runnable 0.50's retry tests give the parameters file to the first run only (a retry keeps its parameters).
    if (parameters && !retrying) env["RUNNABLE_PARAMETERS_FILE"] = parameters;
    return { command: python, args: [file], env };
  }
  const options = [...(config ? ["-c", config] : []), ...(parameters ? ["-p", parameters] : [])];
  // Both with runnable 0.50's command line: `runnable execute FILE RUN_ID -c CONFIG -p PARAMETERS`.
  if (generation === "0.50") return { command: join(python, "..", "runnable"), args: ["execute", file, RUN_ID, ...options], env };
  return { command: process.execPath, args: [join(REPO, "bin", "runnable.js"), "execute", file, RUN_ID, ...options], env };
}

type Store = { kind: string; folder?: string };

/** The run log store and catalog a config selects (0.50 reads `run-log-store`; ours also its February-2024 `run_log_store`). */
async function servicesOf(dir: string, run: ExampleRun, generation: Generation): Promise<{ store: Store; catalog: Store }> {
  const config = run.config ? ((yaml.load(await readFile(join(dir, "examples", run.config), "utf8")) as Record<string, any>) ?? {}) : {};
  const service = (keys: string[]) => keys.map((k) => config[k]).find((v) => v && typeof v === "object") as Record<string, any> | undefined;
  const store = service(generation === "0.50" ? ["run-log-store"] : ["run-log-store", "run_log_store"]);
  const catalog = service(["catalog"]);
  return {
    store: { kind: store?.["type"] ?? "file-system", folder: store?.["config"]?.["log_folder"] },
    catalog: { kind: catalog?.["type"] ?? "file-system", folder: catalog?.["config"]?.["catalog_location"] },
  };
}

const READ_CHUNKED_050 = `import sys
from extensions.run_log_store.chunked_fs import ChunkedFileSystemRunLogStore
store = ChunkedFileSystemRunLogStore(**({"log_folder": sys.argv[2]} if sys.argv[2] else {}))
open(sys.argv[3], "w").write(store.get_run_log_by_id(sys.argv[1], full=True).model_dump_json())`;

/** Reads the run log as its own generation stores it; null when there is none. */
async function readRunLog(generation: Generation, run: ExampleRun, dir: string, python: string, store: Store): Promise<Record<string, any> | null> {
  const json = async (file: string) => JSON.parse(await readFile(file, "utf8")) as Record<string, any>;
  if (store.kind === "file-system") return json(join(dir, store.folder ?? ".run_log_store", `${RUN_ID}.json`)).catch(() => null);
  const env = { ...baseEnv(), PYTHONPATH: dir };
  if (generation === "0.50") {
    if (store.kind !== "chunked-fs") return null; // buffered: the run log lived in memory only
    const out = join(dir, ".run-log-050.json");
    await runProcess(python, ["-c", READ_CHUNKED_050, RUN_ID, store.folder ?? "", out], { cwd: dir, env });
    return json(out).catch(() => null);
  }
  const config = run.config ? ["-c", `examples/${run.config}`] : [];
  const shown = await runProcess(process.execPath, [join(REPO, "bin", "runnable.js"), "runs", "show", RUN_ID, "--json", ...config], { cwd: dir, env });
  try {
    return shown.code === 0 ? (JSON.parse(shown.stdout) as Record<string, any>) : null;
  } catch {
    return null;
  }
}

async function runExample(generation: Generation, run: ExampleRun, options: RunOptions): Promise<ExampleResult> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), `runnable-050-${generation === "ours" ? "ours" : "theirs"}-`));
  const keep = options.keep || process.env["RUNNABLE_050_KEEP"] === "1";
  try {
    await cp(EXAMPLES_050, join(dir, "examples"), { recursive: true });
    const exitCodes: number[] = [];
    const outputs: string[] = [];
    for (const retrying of run.retry ? [false, true] : [false]) {
      const { command, args, env } = commandFor(generation, run, dir, options.python, retrying);
      const result = await runProcess(command, args, { cwd: dir, env });
      exitCodes.push(result.code);
      outputs.push(`$ ${[command, ...args].join(" ")}\n${result.stdout}${result.stderr}`);
    }
    const { store, catalog } = await servicesOf(dir, run, generation);
    const runLog = await readRunLog(generation, run, dir, options.python, store);
    const catalogDir = catalog.kind === "file-system" ? join(dir, catalog.folder ?? ".catalog", RUN_ID) : null;
    const normalised = await normalise(runLog, catalogDir, generation, exitCodes);
    return { normalised, runLog, outputs, ms: Date.now() - started };
  } finally {
    if (keep) console.log(`runnable-050: ${generation} ran ${run.example} in ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

/** Runs an example with runnable 0.50.0 (from the venv) in a fresh copy of the examples tree. */
export function runWith050(run: ExampleRun, options: RunOptions): Promise<ExampleResult> {
  return runExample("0.50", run, options);
}

/** Runs an example with this project (built CLI, Python package from python/) in a fresh copy of the examples tree. */
export function runWithOurs(run: ExampleRun, options: RunOptions): Promise<ExampleResult> {
  return runExample("ours", run, options);
}

/** Where ours' `import runnable` resolves under the harness's PYTHONPATH (a sanity check of the shadowing). */
export async function ourRunnableModule(python: string): Promise<string> {
  const env = { ...baseEnv(), PYTHONPATH: join(REPO, "python") };
  const result = await runProcess(python, ["-c", "import runnable; print(runnable.__file__)"], { cwd: tmpdir(), env });
  return result.stdout.trim();
}
