import { describe, expect, it } from "vitest";
import { withRetry } from "./retry.js";

class Flaky extends Error {}

/** An operation that fails with `Flaky` its first `failures` times, then answers "done". */
function failing(failures: number): { operation: (attempt: number) => Promise<string>; attempts: number[] } {
  const attempts: number[] = [];
  return {
    attempts,
    operation: async (attempt) => {
      attempts.push(attempt);
      if (attempts.length <= failures) throw new Flaky(`failure ${attempts.length}`);
      return "done";
    },
  };
}

const flaky = (error: unknown): boolean => error instanceof Flaky;

describe("withRetry", () => {
  it("answers at once when the first try succeeds", async () => {
    const { operation, attempts } = failing(0);
    expect(await withRetry(operation, { retryable: flaky, deadlineMs: 1000 })).toBe("done");
    expect(attempts).toEqual([1]);
  });

  it("retries retryable failures, numbering the tries from 1", async () => {
    const { operation, attempts } = failing(3);
    expect(await withRetry(operation, { retryable: flaky, deadlineMs: 5000, baseDelayMs: 1 })).toBe("done");
    expect(attempts).toEqual([1, 2, 3, 4]);
  });

  it("rethrows a failure that is not retryable without another try", async () => {
    const attempts: number[] = [];
    const fatal = new Error("bad request");
    const operation = async (attempt: number): Promise<never> => {
      attempts.push(attempt);
      throw fatal;
    };
    await expect(withRetry(operation, { retryable: flaky, deadlineMs: 5000 })).rejects.toBe(fatal);
    expect(attempts).toEqual([1]);
  });

  it("backs off exponentially up to maxDelayMs, with full jitter", async () => {
    const delays: number[] = [];
    const onRetry = (_error: unknown, _attempt: number, delay: number) => delays.push(delay);
    await withRetry(failing(5).operation, { retryable: flaky, deadlineMs: 5000, baseDelayMs: 2, maxDelayMs: 10, random: () => 1, onRetry });
    expect(delays).toEqual([2, 4, 8, 10, 10]);
    const halves: number[] = [];
    const onHalf = (_error: unknown, _attempt: number, delay: number) => halves.push(delay);
    await withRetry(failing(3).operation, { retryable: flaky, deadlineMs: 5000, baseDelayMs: 8, random: () => 0.5, onRetry: onHalf });
    expect(halves).toEqual([4, 8, 16]);
  });

  it("tells onRetry each failure and its try number before waiting", async () => {
    const seen: string[] = [];
    const onRetry = (error: unknown, attempt: number) => seen.push(`${attempt}: ${(error as Error).message}`);
    await withRetry(failing(2).operation, { retryable: flaky, deadlineMs: 5000, baseDelayMs: 1, onRetry });
    expect(seen).toEqual(["1: failure 1", "2: failure 2"]);
  });

  it("rethrows the last failure when the next try would start after the deadline", async () => {
    const { operation, attempts } = failing(10);
    const error = await withRetry(operation, { retryable: flaky, deadlineMs: 60, delayMs: () => 50 }).catch((e: unknown) => e);
    // try 1 at ~0 ms, wait 50; try 2 at >= 50 ms: another 50 would pass 60.
    expect(attempts).toEqual([1, 2]);
    expect((error as Error).message).toBe("failure 2");
    const once = failing(10);
    await expect(withRetry(once.operation, { retryable: flaky, deadlineMs: 0, baseDelayMs: 10, random: () => 1 })).rejects.toThrow("failure 1");
    expect(once.attempts).toEqual([1]);
  });

  it("stops after `attempts` tries", async () => {
    const { operation, attempts } = failing(10);
    await expect(withRetry(operation, { retryable: flaky, deadlineMs: Number.POSITIVE_INFINITY, attempts: 3, delayMs: () => 1 })).rejects.toThrow("failure 3");
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("waits what delayMs says instead of the backoff", async () => {
    const asked: string[] = [];
    const delays: number[] = [];
    const delayMs = (error: unknown, attempt: number) => {
      asked.push(`${attempt}: ${(error as Error).message}`);
      return attempt * 3;
    };
    const onRetry = (_error: unknown, _attempt: number, delay: number) => delays.push(delay);
    expect(await withRetry(failing(2).operation, { retryable: flaky, deadlineMs: 5000, delayMs, onRetry })).toBe("done");
    expect(asked).toEqual(["1: failure 1", "2: failure 2"]);
    expect(delays).toEqual([3, 6]);
  });

  it("stops waiting when the signal aborts, throwing its reason", async () => {
    const { operation, attempts } = failing(10);
    const stop = new AbortController();
    const reason = new Error("stopped");
    const running = withRetry(operation, { retryable: flaky, deadlineMs: 60_000, delayMs: () => 30_000, signal: stop.signal });
    setTimeout(() => stop.abort(reason), 20);
    const started = Date.now();
    await expect(running).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(attempts).toEqual([1]);
  });
});
