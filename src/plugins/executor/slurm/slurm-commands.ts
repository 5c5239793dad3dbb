import { execFile } from "node:child_process";
import { RunnableError } from "../../../core/errors.js";
import { withRetry } from "../../../io/retry.js";
import { type JobRecord, parseSqueue, SQUEUE_FORMAT } from "./job-state.js";

/** What a Slurm command printed, and its exit code (127 when it could not be started). */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs Slurm's client commands (replaceable in tests). */
export interface SlurmCommands {
  run(command: "sbatch" | "squeue" | "scancel", args: readonly string[], env?: Readonly<Record<string, string>>): Promise<CommandResult>;
}

/** The real client commands, with `env` as their environment unless a call gives its own. */
export function systemSlurm(env: Readonly<Record<string, string | undefined>>): SlurmCommands {
  return {
    run: (command, args, own) =>
      new Promise((done) => {
        execFile(command, [...args], { env: (own ?? env) as NodeJS.ProcessEnv, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
          if (error?.killed) return done({ code: 124, stdout: String(stdout), stderr: `${command} did not answer within 120 s (Socket timed out)` });
          const code = error ? (typeof error.code === "number" ? error.code : 127) : 0;
          done({ code, stdout: String(stdout), stderr: String(stderr || (code === 127 && error ? error.message : "")) });
        });
      }),
  };
}

/** sbatch failures worth another try (slurmctld busy or restarting); anything else is the request's fault. */
const TRANSIENT = /temporarily unavailable|try again|Socket timed out|Unable to contact slurm controller|Resource temporarily/i;

/** Submits a batch job; resolves with its id. A refused submission is a RunnableError carrying sbatch's message. */
export async function submit(slurm: SlurmCommands, args: readonly string[], env: Readonly<Record<string, string>>): Promise<string> {
  const result = await withRetry(
    async () => {
      const done = await slurm.run("sbatch", args, env);
      if (done.code !== 0 && TRANSIENT.test(done.stderr)) throw Object.assign(new Error(done.stderr.trim()), { result: done });
      return done;
    },
    { attempts: 5, deadlineMs: 60_000, baseDelayMs: 500, maxDelayMs: 10_000, retryable: (error) => (error as { result?: unknown }).result !== undefined },
  ).catch((error: { result?: CommandResult }) => error.result ?? { code: 1, stdout: "", stderr: String(error) });
  const id = /^(\d+)/.exec(result.stdout.trim())?.[1];
  if (result.code === 0 && id) return id;
  throw new RunnableError("UNSUPPORTED", `sbatch refused the job (exit ${result.code}): ${oneLine(result.stderr) || "no message"}`, {
    hint:
      result.code === 127
        ? "sbatch was not found: run on a machine of the cluster (a login node) with Slurm's commands on PATH"
        : "check the executor's partition, account, qos, resources and sbatch_args",
  });
}

/** The run's jobs as Slurm shows them now (one `squeue` for all); undefined when Slurm did not answer. */
export async function lookUp(slurm: SlurmCommands, jobIds: readonly string[]): Promise<JobRecord[] | undefined> {
  if (jobIds.length === 0) return [];
  const result = await slurm.run("squeue", ["-h", "-r", "--states=all", `--jobs=${jobIds.join(",")}`, "-O", SQUEUE_FORMAT]);
  if (result.code === 0) return parseSqueue(result.stdout);
  // Every id forgotten (purged after MinJobAge): an answer with nothing in it.
  if (/Invalid job id/i.test(result.stderr)) return [];
  return undefined;
}

/** Cancels jobs (SIGTERM to their processes, SIGKILL after Slurm's KillWait; pending ones never start). */
export async function cancel(slurm: SlurmCommands, jobIds: readonly string[]): Promise<void> {
  if (jobIds.length > 0) await slurm.run("scancel", [...jobIds]);
}

/** Checks a request without submitting it (`sbatch --test-only`); resolves with sbatch's complaint, or undefined when it would be accepted. */
export async function testRequest(slurm: SlurmCommands, args: readonly string[]): Promise<string | undefined> {
  const result = await slurm.run("sbatch", ["--test-only", ...args, "--wrap", "true"]);
  if (result.code === 0) return undefined;
  if (result.code === 127) return "sbatch was not found on PATH";
  return oneLine(result.stderr) || `exit ${result.code}`;
}

const oneLine = (text: string): string =>
  text
    .trim()
    .split("\n")
    .map((line) => line.replace(/^sbatch: (error: )?/, "").trim())
    .filter(Boolean)
    .join("; ");
