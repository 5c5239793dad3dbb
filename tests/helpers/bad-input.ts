import { execFileSync } from "node:child_process";
import { lstat, mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { expect } from "vitest";
import { runCli, runMain } from "./cli.js";

/** A broken input: files to write, the command, the exit code and what the output must say. */
export interface BadCase {
  name: string;
  files?: Record<string, string | Uint8Array>;
  args: string[];
  /** Substrings (or patterns) the output must contain: what is wrong and where (file:line:col, setting, flag). */
  expect: Array<string | RegExp>;
  env?: Record<string, string>;
  /** Default 2 (bad input: nothing ran). */
  code?: number;
  /** Prepares what files cannot express (links, mounts); returns a cleanup. */
  setup?: (dir: string) => Promise<(() => Promise<void>) | void>;
  /** A reason to skip the case here (e.g. needs root), or false. */
  skip?: string | false;
  /** Run as a real `runnable` process (default: through main() in this process, see {@link runBadCase}). */
  process?: boolean;
}

/** True when this process may mount file systems (tests of full and read-only disks). */
export const IS_ROOT = typeof process.getuid === "function" && process.getuid() === 0;

/** Mounts a small tmpfs at `path` (root only); returns the unmount. */
export async function mountTmpfs(path: string, options: string): Promise<() => Promise<void>> {
  await mkdir(path, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", path]);
  return async () => void execFileSync("umount", ["-l", path]);
}

/** Every entry below `dir` with its size (links not followed): what "nothing written" compares. */
export async function listing(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const path = join(folder, entry.name);
      const info = await lstat(path);
      out.push(`${relative(dir, path)} ${entry.isDirectory() ? "dir" : info.size}`);
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk(dir);
  return out.sort();
}

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;
/** How to fix it: a hint line, a located problem, a suggestion or a command to run. */
const HOW_TO_FIX =
  /hint: |\S+:\d+:\d+: |did you mean|Did you mean|runnable (retry|runs|validate|execute)|choose|give |add |set |quote|remove|rename|save it as/i;

/**
 * Runs one case in `dir`: the exit code, every expected part of the message, a way to fix it, no
 * stack trace and no internal error, and — for bad input — nothing written or changed in `dir`.
 * Cases run through main() in this process unless `c.process` asks for a real `runnable` process.
 */
export async function runBadCase(dir: string, c: BadCase, tmp: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(c.files ?? {})) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), content);
  }
  const cleanup = await c.setup?.(dir);
  try {
    const before = await listing(dir);
    const run = c.process ? runCli : runMain;
    const result = await run(c.args, { cwd: dir, env: { TMPDIR: tmp, ...c.env } });
    const output = result.stderr + result.stdout;
    expect(result.code, output).toBe(c.code ?? 2);
    for (const part of c.expect) {
      if (typeof part === "string") expect(output, output).toContain(part);
      else expect(output, output).toMatch(part);
    }
    expect(output, output).toMatch(HOW_TO_FIX);
    expect(output).not.toMatch(STACK_FRAME);
    expect(output).not.toContain("internal error");
    if ((c.code ?? 2) === 2) expect(await listing(dir)).toEqual(before);
  } finally {
    await cleanup?.();
  }
}
