import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MAX_TIMER_MS, setLongTimeout } from "./long-timer.js";

describe("setLongTimeout", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("fires after delays beyond Node's 2^31-1 ms, not after 1 ms", () => {
    const fired = vi.fn();
    const days40 = 40 * 24 * 3600 * 1000;
    setLongTimeout(fired, days40);
    vi.advanceTimersByTime(1_000);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(days40 - MAX_TIMER_MS - 1_000 - 1);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(2);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it("never fires for an infinite delay (1e308 seconds in ms), and clears", () => {
    const fired = vi.fn();
    setLongTimeout(fired, 1e308 * 1000);
    vi.advanceTimersByTime(10 * MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
    const cleared = vi.fn();
    setLongTimeout(cleared, 10).clear();
    vi.advanceTimersByTime(100);
    expect(cleared).not.toHaveBeenCalled();
  });
});
