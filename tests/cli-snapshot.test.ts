import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snapshotBlob } from "../src/io/cli-launch.js";
import { REPO } from "./helpers/cli.js";

// The command line's start-up snapshot (scripts/cli-snapshot.mjs): `npm run build` writes it for this
// Node.js, bin/runnable (npm's bin) and the package's own launches start from it, and what a command does
// from the snapshot is what it does loaded by bin/runnable.js.

const PIPELINE = `dag:
  start_at: shell
  steps:
    shell:
      type: task
      command_type: shell
      command: echo "from shell $greeting"
      next: typescript
    typescript:
      type: task
      command_type: typescript
      command: tasks.ts#double
      returns: [doubled]
      next: python
    python:
      type: task
      command: functions.add
      returns: [total]
      next: success
    success:
      type: success
    fail:
      type: fail
`;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function run(program: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((done) => {
    execFile(program, args, { cwd, env: { ...process.env, NO_COLOR: "1", ...env } }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnable-snapshot-"));
  await writeFile(join(dir, "pipeline.yaml"), PIPELINE);
  await writeFile(join(dir, "parameters.yaml"), "greeting: hello\nx: 4\n");
  await writeFile(join(dir, "tasks.ts"), "export function double({ x }: { x: number }) {\n  return x * 2;\n}\n");
  await writeFile(join(dir, "functions.py"), "def add(doubled: int, x: int) -> int:\n    return doubled + x\n");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function runLog(runId: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(dir, ".run_log_store", `${runId}.json`), "utf8")) as Record<string, unknown>;
}

describe("the command line's start-up snapshot", () => {
  it("is built for this Node.js by npm run build", () => {
    expect(snapshotBlob(REPO, {})).toBe(join(REPO, "dist", "cli", "runnable.blob"));
    expect(snapshotBlob(REPO, { RUNNABLE_NO_SNAPSHOT: "1" })).toBeUndefined();
  });

  it("runs shell, TypeScript and Python tasks as bin/runnable.js does: same output, same run log", async () => {
    const bin = join(REPO, "bin", "runnable");
    const args = ["execute", "pipeline.yaml", "--parameters", "parameters.yaml"];
    const fromSnapshot = await run(bin, [...args, "--run-id", "from-snapshot"], dir);
    const fromModules = await run(bin, [...args, "--run-id", "from-modules"], dir, { RUNNABLE_NO_SNAPSHOT: "1" });
    expect(fromSnapshot.stderr).toBe("");
    expect(fromSnapshot.code).toBe(0);
    expect(fromModules.code).toBe(0);
    const scrub = (text: string) => text.replace(/from-(snapshot|modules)/g, "RUN").replace(/\([\d.]+ m?s\)/g, "(time)");
    expect(scrub(fromSnapshot.stdout)).toBe(scrub(fromModules.stdout));
    expect(fromSnapshot.stdout).toContain("from shell hello");
    const [a, b] = [await runLog("from-snapshot"), await runLog("from-modules")];
    expect(a["parameters"]).toEqual({ greeting: "hello", x: 4, doubled: 8, total: 12 });
    expect(a["parameters"]).toEqual(b["parameters"]);
    expect(a["status"]).toBe("SUCCESS");
    expect(Object.keys(a["steps"] as object)).toEqual(Object.keys(b["steps"] as object));
  }, 120_000);

  it("gives the same errors, options and exit codes (a bad file, --version, --verbose before the command)", async () => {
    await writeFile(join(dir, "bad.yaml"), "dag:\n  start_at: a\n  steps:\n    a:\n      type: stubb\n");
    const bin = join(REPO, "bin", "runnable");
    for (const args of [["validate", "bad.yaml"], ["--version"], ["--verbose", "validate", "bad.yaml"], ["runs", "list"]]) {
      const fromSnapshot = await run(bin, args, dir);
      const fromModules = await run(bin, args, dir, { RUNNABLE_NO_SNAPSHOT: "1" });
      // Stack traces (--verbose) name the bundle's files, which differ; their first lines do not.
      const frames = (result: Ran) => ({ ...result, stderr: result.stderr.replace(/^ +at .*\n/gm, "") });
      expect({ args, ...frames(fromSnapshot) }).toEqual({ args, ...frames(fromModules) });
    }
  }, 60_000);

  it("runs timers set long after start (Node's timer state saved in the snapshot is reset by the warm-up)", async () => {
    // Seconds of work, then a timer: with a timer expiry left over from the snapshot's build, the timer
    // was never scheduled and the command ended early, exit 0, as if nothing were left to wait for.
    await writeFile(
      join(dir, "late-timer.mjs"),
      "const until = Date.now() + 2500;\nwhile (Date.now() < until) {}\nawait new Promise((resolve) => setImmediate(resolve));\n" +
        'await new Promise((resolve) => setTimeout(resolve, 20));\nconsole.log("late timer fired");\nexport default null;\n',
    );
    const result = await run(join(REPO, "bin", "runnable"), ["validate", "late-timer.mjs"], dir);
    expect(result.stdout).toContain("late timer fired");
    expect(result.code).toBe(2);
  }, 60_000);

  it("is found through npm's link in node_modules/.bin, and is passed over for a Node.js it was not built by", async () => {
    const bins = join(dir, "node_modules", ".bin");
    await mkdir(bins, { recursive: true });
    await symlink(join(REPO, "bin", "runnable"), join(bins, "runnable")).catch(() => {});
    // A `node` on PATH that is another file than the one the snapshot was built by: it notes its arguments.
    const fake = join(dir, "fake-node");
    await mkdir(fake, { recursive: true });
    await writeFile(join(fake, "node"), `#!/bin/sh\necho "$@" >> "${join(dir, "node-args")}"\nexec "${process.execPath}" "$@"\n`);
    await chmod(join(fake, "node"), 0o755);
    const linked = await run(join(bins, "runnable"), ["--version"], dir);
    expect(linked).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const other = await run(join(bins, "runnable"), ["--version"], dir, { PATH: `${fake}:${process.env.PATH}` });
    expect(other.code).toBe(0);
    expect(await readFile(join(dir, "node-args"), "utf8")).toMatch(/bin\/runnable\.js --version/);
    expect(await readdir(dir)).not.toContain("runnable.blob");
  }, 60_000);

  it("is what the Python SDK starts", async () => {
    const probe = "import sys; sys.path.insert(0, sys.argv[1]); from runnable._engine import find_cli; print(find_cli())";
    const found = await run("python3", ["-c", probe, join(REPO, "python")], dir);
    expect(found.stdout).toContain("--snapshot-blob");
    const off = await run("python3", ["-c", probe, join(REPO, "python")], dir, { RUNNABLE_NO_SNAPSHOT: "1" });
    expect(off.stdout).toContain("runnable.js");
  });
});
