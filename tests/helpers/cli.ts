import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import type { CliIo } from "../../src/cli/io.js";
import { cliLaunch } from "../../src/io/cli-launch.js";

/** The repository root (tests run from it). */
export const REPO = resolve(import.meta.dirname, "../..");

/** Result of running the real `runnable` command. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The command that starts the built `runnable`, as the package starts itself: from the start-up snapshot
 * (dist/cli/runnable.blob) when it fits this Node.js, else `node bin/runnable.js` (always when
 * RUNNABLE_NO_SNAPSHOT is set).
 */
export function cliCommand(env: Readonly<Record<string, string | undefined>> = process.env): { program: string; args: string[] } {
  const [program = process.execPath, ...args] = cliLaunch(REPO, env);
  return { program, args };
}

/** Runs the built `runnable ...args` in `cwd` as a real process ({@link cliCommand}). */
export function runCli(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  const command = cliCommand({ ...process.env, ...options.env });
  return new Promise((done) => {
    execFile(
      command.program,
      [...command.args, ...args],
      { cwd: options.cwd, env: { ...process.env, NO_COLOR: "1", ...options.env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Runs the `runnable` command line in this process (`main(argv, io)` with a captured `CliIo`): what
 * {@link runCli} checks, without starting Node and loading the CLI for every call. For commands whose
 * process is not what is tested (its exit status, signals, stack traces printed by Node itself).
 */
export async function runMain(args: string[], options: { cwd: string; env?: Record<string, string>; isTTY?: boolean }): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    isTTY: options.isTTY ?? false,
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    stopControls: () => ({ stop: { signal: new AbortController().signal, force: new AbortController().signal }, dispose: () => undefined }),
  };
  // Loaded on first use: most test files never run the CLI in-process and need not load all of it.
  const { main } = await import("../../src/cli/main.js");
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** A scratch working directory with `examples/` linked in (module paths resolve as from the repo). */
export async function scratchDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "runnable-test-"));
  await symlink(join(REPO, "examples"), join(dir, "examples"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

type Validator = ((data: unknown) => boolean) & { errors?: unknown };
let validator: Validator | undefined;

/** Validates a run log against the shared contract schema; returns the errors (empty when valid). */
export async function contractErrors(runLog: unknown): Promise<unknown[]> {
  if (!validator) {
    const schema = JSON.parse(await readFile(resolve(REPO, "contracts/run-log.schema.json"), "utf8"));
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    validator = ajv.compile(schema) as unknown as Validator;
  }
  const ok = validator!(runLog);
  return ok ? [] : ((validator!.errors as unknown[]) ?? ["invalid"]);
}

/** Reads a run log the file-system store wrote. */
export async function readRunLog(dir: string, runId: string): Promise<Record<string, any>> {
  return JSON.parse(await readFile(join(dir, ".run_log_store", `${runId}.json`), "utf8"));
}
