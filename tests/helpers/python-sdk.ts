import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, type CliResult } from "./cli.js";

/** The virtualenv with the shipped package installed the documented way (`pip install -e python/`). */
export const SDK_VENV = join(REPO, ".cache", "python-sdk-venv");

function python(venv: string): string {
  return join(venv, "bin", "python");
}

function importsFromHere(interpreter: string, checkout: boolean): boolean {
  try {
    const file = execFileSync(interpreter, ["-c", "import runnable; print(runnable.__file__)"], { cwd: "/", encoding: "utf8" }).trim();
    return checkout ? file === join(REPO, "python", "runnable", "__init__.py") : file.includes("site-packages");
  } catch {
    return false;
  }
}

async function withLock<T>(name: string, action: () => Promise<T>): Promise<T> {
  const lock = join(REPO, ".cache", `${name}.lock`);
  await mkdir(join(REPO, ".cache"), { recursive: true });
  for (let tries = 0; ; tries++) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const age =
        Date.now() -
        (await stat(lock).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      if (age > 120_000 || tries > 1200) await rm(lock, { recursive: true, force: true });
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  try {
    return await action();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * A virtualenv (sharing python3's site-packages, for pydantic) where the package is installed with
 * `pip install -e python/` (editable) or `pip install python/`; made once and reused. Returns its python.
 */
export function sdkPython(venv = SDK_VENV, editable = true): Promise<string> {
  return withLock(`venv-${editable ? "e" : "w"}`, async () => {
    const interpreter = python(venv);
    const ready = existsSync(interpreter) && importsFromHere(interpreter, editable);
    if (ready && editable) return interpreter;
    if (!ready) {
      await rm(venv, { recursive: true, force: true });
      run("python3", ["-m", "venv", "--system-site-packages", venv]);
    }
    if (editable) {
      run(interpreter, ["-m", "pip", "install", "--quiet", "--no-deps", "-e", join(REPO, "python")]);
      return interpreter;
    }
    // a regular install builds in the source tree: build from a copy so that nothing is written into the repository
    const copy = await mkdtemp(join(tmpdir(), "runnable-sdk-src-"));
    try {
      await cp(join(REPO, "python"), copy, { recursive: true, filter: (source) => !/__pycache__|\.egg-info|\/build(\/|$)/.test(source) });
      run(interpreter, ["-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps", copy]);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
    return interpreter;
  });
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { cwd: REPO, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1" } });
}

/** Runs `interpreter script` in `cwd` (how a user runs `python3 pipeline.py`). */
export function runPythonScript(
  interpreter: string,
  script: string,
  options: { cwd: string; env?: Record<string, string>; args?: string[] },
): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      interpreter,
      [script, ...(options.args ?? [])],
      { cwd: options.cwd, env: { ...process.env, NO_COLOR: "1", ...options.env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** The run id printed by the run's progress (`run <id>` line). */
export function runIdOf(output: string): string {
  const id = /^run (\S+)$/m.exec(output)?.[1];
  if (!id) throw new Error(`no "run <id>" line in:\n${output}`);
  return id;
}
