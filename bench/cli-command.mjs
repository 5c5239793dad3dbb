// How the benchmarks start this checkout's `runnable`: as a user's `runnable` starts (bin/runnable), from
// the command line's start-up snapshot when it fits this Node.js, else bin/runnable.js
// (src/io/cli-launch.ts, built into dist/ by `npm run build`).
import { fileURLToPath } from "node:url";
import { cliLaunch } from "../dist/io/cli-launch.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));

/** `{ command, args }` running `runnable ...args` from this checkout. */
export function runnableInvocation(...args) {
  const [command, ...lead] = cliLaunch(REPO);
  return { command, args: [...lead, ...args] };
}
