import { randomBytes } from "node:crypto";
import { lastPid, sweepProcesses } from "../io/process-sweep.js";
import type { RunState } from "./run-state.js";

/** The cookie of one attempt's processes and the sweep that ends those still running when it ends. */
export interface AttemptProcesses {
  /** `<run cookie>.<attempt nonce>`, or undefined when the run's registry marks no processes (fakes). */
  readonly cookie: string | undefined;
  /** Marks that processes were started with the cookie (only then is there anything to sweep). */
  started(): void;
  /** Ends every process of the attempt that left its group and is still running (a warm worker's group is kept). */
  sweep(): Promise<void>;
}

/**
 * A cookie for one attempt. When the attempt started processes, whatever of them is still running
 * after it ended — `setsid sh -c 'sleep 1000' &` left the group the launcher killed — is found by the
 * cookie in its environment and ended (io/process-sweep.ts); only processes newer than the attempt are
 * looked at, so this costs a /proc listing — or one read, when the attempt's own process was the only
 * one started since.
 */
export function attemptProcesses(run: RunState): AttemptProcesses {
  const registry = run.services.processes;
  // Made on first read: an in-process task never reads it (randomBytes is a native call per attempt).
  let cookie: string | undefined;
  let since: number | undefined;
  return {
    get cookie() {
      if (registry.cookie !== undefined) cookie ??= `${registry.cookie}.${randomBytes(4).toString("hex")}`;
      return cookie;
    },
    started: () => {
      since ??= lastPid();
    },
    sweep: async () => {
      if (cookie === undefined || since === undefined) return;
      // One process id handed out since the attempt's first start: that was its own process, which has
      // ended (the attempt is over), so nothing of it can be left (a /proc read instead of a listing).
      if (lastPid() - since === 1) return;
      const live = registry.liveGroups?.() ?? new Set<number>();
      await sweepProcesses({ match: (value) => value === cookie, sincePid: since, keep: (pid, group) => live.has(group) || live.has(pid) });
    },
  };
}
