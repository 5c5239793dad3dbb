import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";

// How this package's command line is started as a process (a launched step, a detached run, the tests):
// from its V8 start-up snapshot when the one built into dist/cli is for this Node.js binary (it loads
// into no other), else through bin/runnable.js. bin/runnable makes the same choice for a user's shell.

/** What scripts/cli-snapshot.mjs writes beside the blob: the Node.js binary it was built with. */
interface SnapshotStamp {
  node: string;
  arch: string;
  execPath: string;
  size: number;
}

/** The start-up snapshot of the package at `root`, when it fits this Node.js binary and is not turned off (RUNNABLE_NO_SNAPSHOT). */
export function snapshotBlob(root: string, env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  if (env.RUNNABLE_NO_SNAPSHOT) return undefined;
  const blob = join(root, "dist", "cli", "runnable.blob");
  try {
    const stamp = JSON.parse(readFileSync(`${blob}.json`, "utf8")) as SnapshotStamp;
    const node = realpathSync(process.execPath);
    const fits = stamp.node === process.version && stamp.arch === process.arch && stamp.execPath === node && stamp.size === statSync(node).size;
    return fits && existsSync(blob) ? blob : undefined;
  } catch {
    return undefined;
  }
}

/** The command (program and leading arguments) that runs this package's `runnable` from its root folder. */
export function cliLaunch(root: string, env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const blob = snapshotBlob(root, env);
  return blob ? [process.execPath, "--snapshot-blob", blob, "--"] : [process.execPath, join(root, "bin", "runnable.js")];
}
