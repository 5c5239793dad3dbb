import { RunnableError, isRunnableError } from "../core/errors.js";
import { runPipeline } from "../engine/run-pipeline.js";
import type { RunResult } from "../engine/services.js";
import { claimWorkdir, sharedWorkdirWarning } from "./workdir-claim.js";
import { maskPlanRecords } from "./mask-plan.js";
import { type ExecuteIntent, type PreparedRun, type RetryIntent, prepare } from "./prepare.js";

/** Runs a prepared run and disposes of it; resolves with its final status (a failed run is not an exception). */
export async function runPrepared(prepared: PreparedRun): Promise<RunResult> {
  const { plan, services } = prepared;
  await maskPlanRecords(plan, plan.graph, services.secrets, { warn: services.warn, newRun: plan.mode.kind !== "retry" });
  const claim = await claimWorkdir(plan.cwd, plan.runId);
  if (claim.others.length > 0) services.warn(sharedWorkdirWarning(plan.cwd, claim.others));
  try {
    return await runPipeline(plan, services);
  } catch (error) {
    throw storageFailure(error, plan.runId) ?? error;
  } finally {
    await claim.release();
    await prepared.dispose();
  }
}

/** Errors of the file system that stop a run through no fault of its own (a full disk, a lost mount). */
const STORAGE_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exhausted",
  EROFS: "the file system became read-only",
  EIO: "an I/O error of the device",
  EFBIG: "the file grew too large",
  EMFILE: "too many open files",
  ENFILE: "too many open files on the system",
  EACCES: "permission denied",
  EPERM: "the operation was not permitted",
  ENOENT: "a folder disappeared",
  ENOTDIR: "a folder was replaced by a file",
};

/**
 * A STORAGE_FAILED error for a file system fault met while a run was being recorded: what failed and
 * where, that the stored run keeps its last complete state, and how to continue; undefined for other errors.
 */
export function storageFailure(error: unknown, runId: string): RunnableError | undefined {
  if (isRunnableError(error) || typeof error !== "object" || error === null) return undefined;
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  const what = code ? STORAGE_ERRORS[code] : undefined;
  if (!what) return undefined;
  const where = path ? ` (${syscall ?? "writing"} ${path})` : syscall ? ` (${syscall})` : "";
  return new RunnableError(
    "STORAGE_FAILED",
    `run ${runId} stopped: its records could not be written: ${what}, ${code}${where}; the run log keeps the last update that was written completely`,
    {
      cause: error,
      hint: `fix the storage (free some space, remount), then continue the run with: runnable retry ${runId}`,
    },
  );
}

/** Prepares and runs a pipeline (a new run, or a re-run with `useCached`). */
export async function executePipeline(options: Omit<ExecuteIntent, "kind">): Promise<RunResult> {
  return runPrepared(await prepare({ ...options, kind: "execute" }));
}

/** Continues a stored run under its own id (`runnable retry`). */
export async function retryRun(options: Omit<RetryIntent, "kind">): Promise<RunResult> {
  return runPrepared(await prepare({ ...options, kind: "retry" }));
}
