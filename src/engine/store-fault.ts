import { isRunnableError, messageOf } from "../core/errors.js";
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
