import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REPO } from "./helpers/cli.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

// SLOW (~20 s on 2 cores; tests/consumer-npm.test.ts is the other consumer test): the Python wheel as a
// Python user gets it. `npm run build:python` builds it; a new virtualenv outside the repository
// installs it with pip (no index: the wheel has no dependencies); the only other thing on PATH is
// Node.js. Figures are printed: wheel size, pip install to the end of a first `python3 pipeline.py`.

const run = promisify(execFile);
const TIMEOUT = 120_000;
const NODE_DIR = dirname(process.execPath);

const noPython = (() => {
  try {
    execFileSync("python3", ["-c", "import venv"], { stdio: "ignore" });
    return undefined;
  } catch {
    return "python3 (with venv) is not installed";
  }
})();

let base = "";
let venv = "";
let wheel = "";
let installMs = 0;

/** Runs `command` in the consumer project with PATH = the venv, then `pathTail`; never throws. */
async function inProject(
  command: string,
  args: string[],
  options: { pathTail?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; out: string }> {
  const { RUNNABLE_TS_CLI: _cli, RUNNABLE_TS_NODE: _node, PYTHONPATH: _path, VIRTUAL_ENV: _venv, ...inherited } = process.env;
  const env = { ...inherited, NO_COLOR: "1", PATH: `${join(venv, "bin")}:${options.pathTail ?? `${NODE_DIR}:/usr/bin:/bin`}`, ...options.env };
  try {
    const { stdout, stderr } = await run(command, args, { cwd: join(base, "project"), env });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : 1, out: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

const PIPELINE_PY = `from runnable import Pipeline, PythonTask, ShellTask


def hello(name: str = "world"):
    print(f"hello {name}")
    return 42


def main():
    pipeline = Pipeline(steps=[
        PythonTask(name="hello", function=hello, returns=["answer"]),
        ShellTask(name="show", command="echo answer=$answer", terminate_with_success=True),
    ])
    run_log = pipeline.execute()
    print("status:", run_log.status)


if __name__ == "__main__":
    main()
`;

const FUNCTIONS_PY = `import runnable


def where():
    print("runnable from", runnable.__file__)
`;

const PIPELINE_YAML = `dag:
  start_at: where
  steps:
    where:
      type: task
      command: functions.where
      next: success
    success:
      type: success
    fail:
      type: fail
`;

describeNeeding(NEEDS.python, noPython)("the Python wheel in a fresh virtualenv", () => {
  beforeAll(async () => {
    const { stdout } = await run("node", [join(REPO, "scripts", "build-python.mjs")], { cwd: REPO });
    wheel = stdout.trim().split("\n").at(-1) ?? "";
    base = await mkdtemp(join(tmpdir(), "runnable-consumer-python-"));
    venv = join(base, "venv");
    await run("python3", ["-m", "venv", venv]);
    const project = join(base, "project");
    await run("mkdir", [project]);
    await writeFile(join(project, "pipeline.py"), PIPELINE_PY);
    await writeFile(join(project, "functions.py"), FUNCTIONS_PY);
    await writeFile(join(project, "pipeline.yaml"), PIPELINE_YAML);
    await writeFile(join(project, "pipeline.ts"), 'import { pipeline } from "runnable-ts";\nexport default pipeline({ steps: [] });\n');
    const started = performance.now();
    await run(join(venv, "bin", "pip"), ["install", "--quiet", "--no-index", "--disable-pip-version-check", wheel]);
    installMs = performance.now() - started;
  }, TIMEOUT);
  afterAll(() => (base ? rm(base, { recursive: true, force: true }) : undefined));

  it("is a small pure-Python wheel carrying the command line, with the pydantic and notebook extras", async () => {
    expect(wheel).toMatch(/runnable_ts-[\d.]+-py3-none-any\.whl$/);
    const { size } = await stat(wheel);
    console.log(`figure: wheel ${(size / 1024).toFixed(0)} KiB`);
    const listing = execFileSync("python3", ["-c", "import sys,zipfile;print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))", wheel], {
      encoding: "utf8",
    });
    for (const needed of [
      "runnable/__init__.py",
      "runnable/_cli_main.py",
      "runnable/_cli/bin/runnable.js",
      "runnable/_cli/dist/cli/runnable.mjs",
      "runnable/_cli/dist/web/index.html",
      "runnable/_cli/node_modules/yaml/package.json",
    ]) {
      expect(listing).toContain(needed);
    }
    expect(listing).not.toMatch(/__pycache__|\.map\n/);
    const read = "import importlib.metadata as m; d = m.metadata('runnable-ts'); print(d.get_all('Provides-Extra'), d.get_all('Requires-Dist'))";
    const metadata = execFileSync(join(venv, "bin", "python3"), ["-c", read], { encoding: "utf8" });
    expect(metadata).toContain("['pydantic', 'notebook']");
    expect(metadata).toContain(`'pydantic>=2; extra == "pydantic"'`);
  });

  it(
    "runs `python3 pipeline.py` with only Node.js on PATH",
    async () => {
      const started = performance.now();
      const first = await inProject("python3", ["pipeline.py"]);
      const firstMs = performance.now() - started;
      console.log(
        `figure: pip install of the wheel ${(installMs / 1000).toFixed(1)} s; to the end of a first python3 pipeline.py ${((installMs + firstMs) / 1000).toFixed(1)} s`,
      );
      expect(first.out).toContain("hello world");
      expect(first.out).toContain("answer=42");
      expect(first.out).toContain("status: SUCCESS");
      expect(first.code).toBe(0);
    },
    TIMEOUT,
  );

  it(
    "gives a `runnable` command whose Python tasks import the venv's runnable",
    async () => {
      const version = await inProject("runnable", ["--version"]);
      expect(version.out.trim()).toBe("0.1.0");
      const yaml = await inProject("runnable", ["execute", "-f", "pipeline.yaml"]);
      expect(yaml.out).toContain(`runnable from ${join(venv, "lib")}`);
      expect(yaml.code).toBe(0);
    },
    TIMEOUT,
  );

  it(
    "says what to install when Node.js is missing or older than 20",
    async () => {
      const missing = await inProject("runnable", ["--version"], { pathTail: "/nonexistent" });
      expect(missing.out).toMatch(/needs Node\.js 20 or newer, and `node` is not on PATH: install it \(https:\/\/nodejs\.org/);
      expect(missing.code).toBe(2);
      const script = await inProject("python3", ["pipeline.py"], { pathTail: "/nonexistent" });
      expect(script.out).toMatch(/needs Node\.js 20 or newer/);
      expect(script.code).toBe(2);
      // An old Node.js, as far as the launcher can tell: its version is the first thing checked.
      const pretend = join(base, "node18.cjs");
      await writeFile(
        pretend,
        'Object.defineProperty(process, "versions", { value: { ...process.versions, node: "18.19.0" } });\nObject.defineProperty(process, "version", { value: "v18.19.0" });\n',
      );
      const old = await inProject("runnable", ["--version"], { env: { NODE_OPTIONS: `--require=${pretend}` } });
      expect(old.out).toContain("runnable-ts needs Node.js 20 or newer; ");
      expect(old.out).toContain("is v18.19.0");
      expect(old.code).toBe(2);
    },
    TIMEOUT,
  );

  it(
    "names the npm package for a TypeScript pipeline (the wheel leaves tsx out)",
    async () => {
      const ts = await inProject("runnable", ["execute", "-f", "pipeline.ts"]);
      expect(ts.out).toContain("TypeScript modules need tsx, which this runnable-ts does not carry");
      expect(ts.out).toContain("npm package");
      expect(ts.code).toBe(2);
    },
    TIMEOUT,
  );
});
