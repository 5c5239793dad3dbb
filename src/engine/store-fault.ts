import { RunnableError, isRunnableError, messageOf } from "../core/errors.js";
import type { Status } from "../core/run-log.js";
import { withRetry } from "../io/retry.js";

/** How long a run whose walk broke on an unreachable store waits for it, to record the run FAIL. */
export const STORE_RECOVERY_WAIT_MS = 30_000;

/**
 * After a framework fault (e.g. the run log store went away mid-run), records the run's end (`finish`:
 * final parameters and FAIL) as soon as the store answers again, trying every second for up to
 * {@link STORE_RECOVERY_WAIT_MS}. Never throws: the caller reports the fault itself; when the store
 * stays away the run is left PROCESSING, its lease lapses and `runnable retry` continues it.
 */
export async function finishAfterFault(
  finish: () => Promise<void>,
  warn: (message: string) => void,
  runId: string,
  waitMs = STORE_RECOVERY_WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  try {
    const tries = await withRetry(
      async (attempt) => {
        await finish();
        return attempt;
      },
      {
        // The last try is at the deadline itself: a store back just in time still gets the run recorded.
        retryable: (error) => isRunnableError(error, "STORE_UNAVAILABLE") && Date.now() < deadline,
        deadlineMs: Number.POSITIVE_INFINITY,
        delayMs: () => Math.min(1_000, Math.max(0, deadline - Date.now())),
        onRetry: (_error, attempt) => {
          if (attempt === 1) warn(`waiting up to ${Math.round(waitMs / 1000)} s for the run log store to come back, to record run ${runId} FAIL`);
        },
      },
    );
    warn(tries > 1 ? `the run log store answers again: run ${runId} is recorded FAIL` : `run ${runId} is recorded FAIL`);
  } catch (error) {
    warn(
      `could not record run ${runId} FAIL: ${messageOf(error)}; it stays PROCESSING (STALE in \`runnable runs list\` once its lease lapses; \`runnable retry ${runId}\` continues it)`,
    );
  }
}

/**
 * The fault of a run whose end could not be written: it says the run ended `status` and that the run
 * log does not show it (a store that went away keeps its own error: the fault path records FAIL later).
 */
export function unrecordedEnd(error: unknown, runId: string, status: Status): unknown {
  if (isRunnableError(error)) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== "string") return error;
  return new RunnableError(
    "STORAGE_FAILED",
    `run ${runId} ended ${status}, but its final status could not be written: ${messageOf(error)}; the run log shows the last update that was written completely`,
    {
      cause: error,
      hint: `fix the storage (free some space, remount), then record the run's end with: runnable retry ${runId} (steps that succeeded are not run again)`,
    },
  );
}
