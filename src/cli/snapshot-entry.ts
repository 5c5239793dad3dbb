// The entry of the command line's V8 start-up snapshot (built by scripts/cli-snapshot.mjs, run by
// bin/runnable as `node --snapshot-blob dist/cli/runnable.blob ARGS`). Building it loads the whole
// command line and runs it once on small pipelines in a scratch folder (a `validate` and a stub run), so
// that the heap saved in the blob holds the code already compiled and the schemas already built: a
// command then starts near Node's own start-up instead of loading and compiling ~1 MB of JavaScript.
// What the warm-up must not do, because the heap is saved after it: start processes (no PATH), load
// packages from disk (the bundle's require refuses while building), or leave state behind (it keeps
// none in modules: see docs/architecture.md, "No module-level state").
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startupSnapshot } from "node:v8";
import type { CliIo } from "./io.js";
import { main } from "./main.js";

const STUB_RUN = `dag:
  start_at: first
  steps:
    first:
      type: stub
      next: items
    items:
      type: map
      iterate_on: xs
      iterate_as: x
      branch:
        start_at: inner
        steps:
          inner:
            type: stub
            next: success
          success:
            type: success
          fail:
            type: fail
      next: both
    both:
      type: parallel
      branches:
        a:
          start_at: s
          steps:
            s:
              type: stub
              next: success
            success:
              type: success
            fail:
              type: fail
      next: success
    success:
      type: success
    fail:
      type: fail
`;

const TASKS = `dag:
  start_at: shell
  steps:
    shell:
      type: task
      command_type: shell
      command: echo hello
      returns: [greeting]
      next: python
    python:
      type: task
      command: functions.hello
      next: notebook
    notebook:
      type: task
      command_type: notebook
      command: hello.ipynb
      next: success
    success:
      type: success
    fail:
      type: fail
`;

/** Runs the command line on small pipelines in a scratch folder, with no output and no processes. */
async function warmUp(): Promise<void> {
  const folder = mkdtempSync(path.join(tmpdir(), "runnable-snapshot-"));
  try {
    writeFileSync(path.join(folder, "stubs.yaml"), STUB_RUN);
    writeFileSync(path.join(folder, "tasks.yaml"), TASKS);
    writeFileSync(path.join(folder, "parameters.yaml"), "xs: [1, 2]\n");
    writeFileSync(path.join(folder, "functions.py"), "def hello():\n    return None\n");
    writeFileSync(path.join(folder, "hello.ipynb"), JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }));
    const io: CliIo = {
      cwd: folder,
      env: {},
      isTTY: false,
      out: () => {},
      err: (text) => process.stderr.write(text),
      stopControls: () => ({ stop: { signal: new AbortController().signal, force: new AbortController().signal }, dispose: () => {} }),
    };
    // validate looks the Python interpreter up on PATH (it starts nothing); the run has no PATH, so that
    // reading git's identity of the code starts no process either.
    const runs: [string[], CliIo][] = [
      [["validate", "tasks.yaml"], { ...io, env: { PATH: process.env.PATH } }],
      [["execute", "stubs.yaml", "--parameters", "parameters.yaml", "--run-id", "warm-up"], io],
    ];
    for (const [argv, runIo] of runs) {
      const code = await main(argv, runIo);
      if (code !== 0) throw new Error(`the snapshot's warm-up \`runnable ${argv.join(" ")}\` exited ${code}`);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  // Node's timers keep the time of their next expiry in module state, which the snapshot saves: a timer
  // cleared during the warm-up leaves it at a time of the build, and a timer set at run time for later
  // than that would not be scheduled (the command would end as if nothing were left to wait for). One
  // timer that fires resets it: with no timer left, the next expiry is "none".
  await new Promise((resolve) => setTimeout(resolve, 1));
}

/** The command line, as bin/runnable.js runs it: the arguments after `node --snapshot-blob BLOB`. */
async function runCommandLine(): Promise<void> {
  const code = await main(process.argv.slice(1));
  process.exitCode = code;
  // As bin/runnable.js: what user code left behind must not keep the command alive once its output is out.
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

if (startupSnapshot.isBuildingSnapshot()) {
  warmUp().then(
    () => startupSnapshot.setDeserializeMainFunction(runCommandLine),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
