/** How long a request to a store's server may go unanswered before a warning says so. */
export const STALL_WARNING_MS = 3_000;

/** Watches a server's requests: one warning when a request has waited {@link STALL_WARNING_MS}, once per stall. */
export interface StallWatch {
  /** Starts watching one request; call the result when it is answered (or failed). */
  begin(doing: string): () => void;
}

/**
 * A watch warning `warn(describe(doing, seconds))` once a request has gone unanswered for
 * `warnAfterMs` — a frozen server holds a connection open and answers nothing, which no connection
 * error reports — and not again until some request was answered (the stall is over).
 */
export function createStallWatch(
  warn: (message: string) => void,
  describe: (doing: string, seconds: number) => string,
  warnAfterMs = STALL_WARNING_MS,
): StallWatch {
  let warned = false;
  return {
    begin(doing) {
      const timer = setTimeout(() => {
        if (warned) return;
        warned = true;
        warn(describe(doing, Math.round(warnAfterMs / 1000)));
      }, warnAfterMs);
      timer.unref();
      return () => {
        clearTimeout(timer);
        warned = false;
      };
    },
  };
}
