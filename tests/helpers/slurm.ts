import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./cli.js";

/** The single-node test cluster scripts/slurm-cluster.sh runs. */
export interface SlurmCluster {
  /** Its slurm.conf (what SLURM_CONF names). */
  conf: string;
  /** Its private folder (state, spool, logs). */
  dir: string;
  /** The node's name (`hostname -s`). */
  node: string;
  /** The jobcomp/filetxt file: one `Key=Value …` line per finished job, kept after slurmctld forgets the job. */
  jobcompFile: string;
  /** The environment Slurm commands need: this process's plus SLURM_CONF. */
  env: Record<string, string>;
}

/** What a Slurm command printed, and its exit code. */
export interface SlurmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Job states after which a job never runs again (squeue/scontrol spelling). */
export const FINAL_STATES = new Set(["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE"]);

/** The script that starts the cluster. */
export const SLURM_SCRIPT = join(REPO, "scripts/slurm-cluster.sh");

/** Why the Slurm tests are skipped (undefined when they can run: slurmd and munged need root). */
export const noSlurm = process.getuid?.() === 0 ? undefined : "the Slurm test cluster needs root (slurmd, munged): run the tests as root";

/** Runs a program and resolves with its exit code and output (never rejects). */
export function run(file: string, args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<SlurmResult> {
  return new Promise((done) => {
    execFile(file, args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Reads the KEY=value state file scripts/slurm-cluster.sh writes. */
function stateOf(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

/**
 * Finds the running test cluster or starts it (`scripts/slurm-cluster.sh start`: installs the Debian
 * packages once, ~2 s after that). It is left running for the other test files; `scripts/slurm-cluster.sh
 * stop` ends it. RUNNABLE_SLURM_STATE picks another state file, as for the script. Started here, the node has
 * 8 CPUs (as scripts/test-all.sh starts it): test files submit jobs at the same time, and a test whose
 * jobs must run at once needs free CPUs for all of them.
 */
export async function slurmEnv(): Promise<SlurmCluster> {
  const env = { RUNNABLE_SLURM_CPUS: "8", ...process.env } as Record<string, string>;
  const started = await run("bash", [SLURM_SCRIPT, "start"], { env, timeoutMs: 600_000 });
  if (started.code !== 0) throw new Error(`scripts/slurm-cluster.sh start failed (${started.code}):\n${started.stderr}`);
  const state = stateOf(process.env["RUNNABLE_SLURM_STATE"] ?? join(REPO, ".cache/slurm.env"));
  const conf = state["SLURM_CONF"];
  const dir = state["SLURM_DIR"];
  if (!conf || !dir || !state["SLURM_NODE"]) throw new Error(`scripts/slurm-cluster.sh start left no state: ${JSON.stringify(state)}`);
  return { conf, dir, node: state["SLURM_NODE"], jobcompFile: join(dir, "jobcomp.log"), env: { ...(process.env as Record<string, string>), SLURM_CONF: conf } };
}

/** Runs a Slurm command (sbatch, squeue, scontrol, scancel, sinfo, sacct) against the cluster. */
export function slurm(
  cluster: SlurmCluster,
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<SlurmResult> {
  return run(command, args, { cwd: options.cwd, env: { ...cluster.env, ...options.env } });
}

/** Submits a batch job (`sbatch --parsable …`) and returns its id; throws with sbatch's message when refused. */
export async function sbatch(cluster: SlurmCluster, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
  const result = await slurm(cluster, "sbatch", ["--parsable", ...args], options);
  if (result.code !== 0) throw new Error(`sbatch ${args.join(" ")} failed (${result.code}): ${result.stderr.trim()}`);
  return result.stdout.trim().split(";")[0]!;
}

/** Parses one line of Slurm's `Key=Value Key=Value` output (scontrol -o, the jobcomp file). */
export function parseKeyValues(line: string): Record<string, string> {
  const record: Record<string, string> = {};
  for (const field of line.trim().split(/\s+(?=[A-Za-z][\w:/]*=)/)) {
    const at = field.indexOf("=");
    if (at > 0) record[field.slice(0, at)] = field.slice(at + 1);
  }
  return record;
}

/** The records `scontrol show job -o ID` prints (one per array task, pending tasks as one); [] once slurmctld has forgotten the job. */
export async function showJob(cluster: SlurmCluster, id: string): Promise<Record<string, string>[]> {
  const result = await slurm(cluster, "scontrol", ["show", "job", "-o", id]);
  if (result.code !== 0) return [];
  return result.stdout
    .split("\n")
    .filter((line) => line.startsWith("JobId="))
    .map(parseKeyValues);
}

/** Polls `scontrol show job` every 100 ms until every record of job `id` (each array task) is final; returns them. */
export async function waitForJob(cluster: SlurmCluster, id: string, timeoutMs = 60_000): Promise<Record<string, string>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await showJob(cluster, id);
    if (records.length > 0 && records.every((record) => FINAL_STATES.has(record["JobState"] ?? ""))) return records;
    if (Date.now() > deadline)
      throw new Error(`job ${id} not finished after ${timeoutMs} ms: ${records.map((r) => `${r["JobId"]} ${r["JobState"]}`).join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The jobcomp file's records (optionally of one raw job id, or of the tasks of array job `arrayJobId`). */
export function jobcompRecords(cluster: SlurmCluster, filter: { jobId?: string; arrayJobId?: string } = {}): Record<string, string>[] {
  if (!existsSync(cluster.jobcompFile)) return [];
  return readFileSync(cluster.jobcompFile, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("JobId="))
    .map(parseKeyValues)
    .filter(
      (record) =>
        (filter.jobId === undefined || record["JobId"] === filter.jobId) && (filter.arrayJobId === undefined || record["ArrayJobId"] === filter.arrayJobId),
    );
}
