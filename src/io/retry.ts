import { setTimeout as sleep } from "node:timers/promises";

/** Options of {@link withRetry}. */
export interface RetryOptions {
  /** Whether a failure is worth another try (a refused connection, a 503); others are rethrown at once. */
  retryable(error: unknown): boolean;
  /** No new try starts later than this many ms after the first one; the last failure is rethrown. */
  deadlineMs: number;
  /** At most this many tries in all (default: as many as the deadline allows). */
  attempts?: number;
  /** The wait before try `attempt + 1`, instead of the jittered backoff (e.g. a server's Retry-After, or a fixed schedule). */
  delayMs?(error: unknown, attempt: number): number;
  /** Delay before the second try (ms); it doubles with every try, with full jitter. Default 100. */
  baseDelayMs?: number;
  /** Longest delay between two tries (ms). Default 2,000. */
  maxDelayMs?: number;
  /** Aborts the waiting between tries (the abort reason is thrown). */
  signal?: AbortSignal;
  /** Told before each wait (e.g. to warn that a server is not answering). */
  onRetry?(error: unknown, attempt: number, delayMs: number): void;
  /** Random source for the jitter (tests fix it). Default Math.random. */
  random?: () => number;
}

/**
 * Runs `operation` until it succeeds, its failure is not retryable, the tries are used up or the
 * deadline would pass: exponential backoff with full jitter (AWS's recommendation) unless `delayMs`
 * says otherwise, `attempt` counting from 1.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const started = Date.now();
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 2_000;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!options.retryable(error) || attempt >= (options.attempts ?? Number.POSITIVE_INFINITY)) throw error;
      const delay = options.delayMs ? options.delayMs(error, attempt) : Math.round(random() * Math.min(cap, base * 2 ** (attempt - 1)));
      if (Date.now() + delay - started > options.deadlineMs) throw error;
      options.onRetry?.(error, attempt, delay);
      await pause(delay, options.signal);
    }
  }
}

/** Waits `ms`; an abort ends the wait by throwing the signal's reason (timers/promises would throw an AbortError). */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return sleep(ms);
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    signal.throwIfAborted();
    throw error;
  }
}
