import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { ProcessRegistry } from "../engine/services.js";
import { PROCESS_COOKIE } from "../io/process-sweep.js";

// Task processes run in process groups of their own, so a signal to the CLI does not reach them by
// itself. The engine stops them when the CLI is stopped; if the CLI dies without stopping (kill -9,
// out of memory), this watchdog — a tiny shell reading the live group ids from a pipe — sees the pipe
// close and kills the groups left, so no task process outlives the CLI.
// Processes that left their group (setsid) are found by the run's cookie in their environment
// (io/process-sweep.ts; the line `c<cookie>` names it) and killed too — unless the line `q` came: the
// CLI swept them itself before closing the pipe (a clean end).
// Lines `!<path>` name folders (the private scratch area: environment dumps, the Python channel) to
// remove once the CLI is gone and its tasks are killed, so secrets do not outlive a crash either.
const SCRIPT = `
trap '' INT TERM HUP
groups=" "
paths=""
cookie=""
swept=""
while IFS= read -r line; do
  case "$line" in
    +*) groups="$groups\${line#+} " ;;
    -*) id="\${line#-}"; case "$groups" in *" $id "*) groups="\${groups%% $id *} \${groups#* $id }" ;; esac ;;
    !*) paths="$paths\${line#!}
" ;;
    c*) cookie="\${line#c}" ;;
    q) swept=1 ;;
  esac
done
for id in $groups; do kill -TERM "-$id" 2>/dev/null; done
escaped=""
if [ -n "$cookie" ] && [ -z "$swept" ]; then
  for environ in /proc/[0-9]*/environ; do
    grep -qzE "^${PROCESS_COOKIE}=$cookie(\\..*)?$" "$environ" 2>/dev/null || continue
    pid="\${environ#/proc/}"; pid="\${pid%/environ}"
    kill -TERM "$pid" 2>/dev/null && escaped="$escaped $pid"
  done
fi
case "$groups$escaped" in *[0-9]*) sleep 2 ;; esac
for id in $groups; do kill -KILL "-$id" 2>/dev/null; done
for pid in $escaped; do kill -KILL "$pid" 2>/dev/null; done
printf '%s' "$paths" | while IFS= read -r path; do [ -n "$path" ] && rm -rf -- "$path"; done
`;

/** A registry backed by a watchdog process started on first use; `close` lets it exit. */
export interface ProcessWatchdog extends ProcessRegistry {
  readonly cookie: string;
  /** Has the watchdog remove `path` (recursively) when the CLI is gone, however it ended. */
  removeAtExit(path: string): void;
  close(): void;
}

/** Creates the watchdog registry of one CLI process (the shell starts only when a task spawns something). */
export function createProcessWatchdog(): ProcessWatchdog {
  let child: ChildProcess | undefined;
  let broken = false;
  const cookie = randomBytes(8).toString("hex");
  const groups = new Set<number>();
  const send = (line: string): void => {
    if (broken) return;
    if (!child) {
      child = spawn("/bin/sh", ["-c", SCRIPT], { stdio: ["pipe", "ignore", "ignore"], detached: true });
      child.on("error", () => (broken = true));
      child.stdin?.on("error", () => (broken = true));
      child.unref();
      (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
      child.stdin?.write(`c${cookie}\n`);
    }
    child.stdin?.write(`${line}\n`);
  };
  return {
    cookie,
    liveGroups: () => groups,
    add: (pid) => {
      groups.add(pid);
      send(`+${pid}`);
    },
    remove: (pid) => {
      groups.delete(pid);
      send(`-${pid}`);
    },
    removeAtExit: (path) => {
      if (!path.includes("\n")) send(`!${path}`);
    },
    close: () => {
      // The CLI has swept its processes by their cookie itself (compose-run's dispose): the watchdog need not.
      child?.stdin?.end("q\n");
      child = undefined;
    },
  };
}
