import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { processAlive } from "./process-alive.js";

// A process that left its task's process group (`setsid`, a double fork) is out of reach of a signal
// to the group. Every task process carries a cookie in its environment, which it passes on to what it
// starts, so they are found by it in /proc/<pid>/environ (as Jenkins' ProcessTreeKiller does). A
// process that clears its environment (`env -i`) escapes this; cgroups would not, but this machine's
// kind (a cgroup v1 hierarchy, not writable by the run) does not offer them.

/** The environment variable carrying the cookie (`<run cookie>.<attempt>`). */
export const PROCESS_COOKIE = "RUNNABLE_PROCESS_COOKIE";

const ENTRY = Buffer.from(`${PROCESS_COOKIE}=`);

/** The newest process id handed out in this pid namespace (processes started later have higher ids until they wrap), or 0. */
export function lastPid(): number {
  try {
    return Number(readFileSync("/proc/sys/kernel/ns_last_pid", "utf8").trim()) || 0;
  } catch {
    return 0;
  }
}

/** What to sweep. */
export interface SweepOptions {
  /** Whether a process whose cookie is this should go. */
  match(cookie: string): boolean;
  /** Only processes started after this pid (unless pids wrapped since): a cheap way to look at few. */
  sincePid?: number;
  /** Processes to leave alone (supervised ones that live on, e.g. a warm worker between attempts). */
  keep?(pid: number, groupId: number): boolean;
  /** Time the processes get between SIGTERM and SIGKILL (ms). Default 1,000. */
  graceMs?: number;
}

/** The cookie in `/proc/<pid>/environ`, or undefined (none, gone, or not ours to read). */
async function cookieOf(pid: number): Promise<string | undefined> {
  const environ = await readFile(`/proc/${pid}/environ`).catch(() => undefined);
  if (!environ) return undefined;
  for (let at = environ.indexOf(ENTRY); at >= 0; at = environ.indexOf(ENTRY, at + 1)) {
    if (at > 0 && environ[at - 1] !== 0) continue;
    const end = environ.indexOf(0, at);
    return environ.toString("utf8", at + ENTRY.length, end < 0 ? environ.length : end);
  }
  return undefined;
}

function groupOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return 0;
  }
}

/** The processes whose cookie matches (this process never). */
export async function processesWithCookie(options: SweepOptions): Promise<number[]> {
  const names = await readdir("/proc").catch(() => [] as string[]);
  const since = options.sincePid !== undefined && lastPid() >= options.sincePid ? options.sincePid : 0;
  const candidates = names.map(Number).filter((pid) => Number.isInteger(pid) && pid > since && pid !== process.pid);
  const found: number[] = [];
  await Promise.all(
    candidates.map(async (pid) => {
      const cookie = await cookieOf(pid);
      if (cookie !== undefined && options.match(cookie) && !(options.keep?.(pid, groupOf(pid)) ?? false)) found.push(pid);
    }),
  );
  return found;
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

/**
 * Ends every process carrying a matching cookie: SIGTERM, then SIGKILL for those still there after
 * the grace period. Resolves with the pids found (none on systems without /proc).
 */
export async function sweepProcesses(options: SweepOptions): Promise<number[]> {
  const found = await processesWithCookie(options);
  if (found.length === 0) return found;
  for (const pid of found) kill(pid, "SIGTERM");
  const deadline = Date.now() + (options.graceMs ?? 1_000);
  let left = found;
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(20);
    left = left.filter((pid) => processAlive(pid) && !isZombie(pid));
  }
  for (const pid of left) kill(pid, "SIGKILL");
  return found;
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return true;
  }
}

/** A matcher for a cookie and the cookies derived from it (`<cookie>.<n>`). */
export function cookieFamily(cookie: string): (value: string) => boolean {
  return (value) => value === cookie || value.startsWith(`${cookie}.`);
}
