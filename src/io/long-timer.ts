/** The longest delay Node's `setTimeout` keeps: anything longer fires after 1 ms (a 32-bit overflow, with a warning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer of any length (see {@link setLongTimeout}). */
export interface LongTimer {
  clear(): void;
}

/**
 * Calls `fire` after `ms` milliseconds, however long that is: delays beyond {@link MAX_TIMER_MS}
 * (~24.8 days) are waited out in pieces, re-armed each time; an infinite delay never fires. The timer
 * does not keep the process alive (`unref`), like the time limits that use it.
 */
export function setLongTimeout(fire: () => void, ms: number): LongTimer {
  let timer: NodeJS.Timeout | undefined;
  const due = Date.now() + ms;
  const arm = (left: number): void => {
    if (!Number.isFinite(left)) return;
    if (left <= MAX_TIMER_MS) {
      timer = setTimeout(fire, Math.max(0, left));
    } else {
      timer = setTimeout(() => arm(due - Date.now()), MAX_TIMER_MS);
    }
    timer.unref();
  };
  arm(ms);
  return {
    clear: () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
