import { mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, runMain, scratchDir } from "./helpers/cli.js";

/** A broken input: files to write, the command, and what the error must say (and where). */
interface BadCase {
  name: string;
  files: Record<string, string>;
  args: string[];
  /** Substrings the error output must contain (message and `file:line:col`). */
  expect: string[];
  env?: Record<string, string>;
}

const ok = (steps = "") => `dag:\n  start_at: a\n  steps:\n    a:\n      type: stub\n      next: success\n${steps}`;
const run = (file = "p.yaml", ...rest: string[]) => ["execute", "-f", file, ...rest];

const CASES: BadCase[] = [
  { name: "malformed YAML", files: { "p.yaml": "dag:\n  start_at: a\n  steps: [\n" }, args: run(), expect: ["p.yaml:4:1"] },
  { name: "tab indentation", files: { "p.yaml": "dag:\n\tstart_at: a\n" }, args: run(), expect: ["p.yaml:2:"] },
  { name: "duplicate step", files: { "p.yaml": ok("    a:\n      type: stub\n      next: success\n") }, args: run(), expect: ["p.yaml:7:5", "a"] },
  { name: "missing dag key", files: { "p.yaml": "pipeline: {}\n" }, args: run(), expect: ["p.yaml", "dag"] },
  {
    name: "unknown node kind",
    files: { "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: taks\n      next: success\n" },
    args: run(),
    expect: ["p.yaml:5:13", "taks", "task"],
  },
  { name: "missing type", files: { "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      next: success\n" }, args: run(), expect: ["p.yaml:4:", "type"] },
  {
    name: "unknown key on a task",
    files: {
      "p.yaml":
        "dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command_type: shell\n      command: echo\n      nxt: success\n      next: success\n",
    },
    args: run(),
    expect: ["p.yaml:8:7", "nxt"],
  },
  {
    name: "key on a terminal node",
    files: { "p.yaml": ok("    success:\n      type: success\n      next: a\n") },
    args: run(),
    expect: ["p.yaml:9:7", "next"],
  },
  {
    name: "next names a missing step",
    files: { "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: stub\n      next: sucess\n" },
    args: run(),
    expect: ["p.yaml:6:13", "sucess", "success"],
  },
  {
    name: "on_failure names a missing step",
    files: { "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: stub\n      next: success\n      on_failure: recover\n" },
    args: run(),
    expect: ["p.yaml:7:19", "recover"],
  },
  {
    name: "cycle",
    files: { "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: stub\n      next: b\n    b:\n      type: stub\n      next: a\n" },
    args: run(),
    expect: ["p.yaml:", "cycl"],
  },
  {
    name: "unreachable step",
    files: { "p.yaml": ok("    orphan:\n      type: stub\n      next: success\n") },
    args: run(),
    expect: ["p.yaml:7:5", "orphan", "never reached"],
  },
  {
    name: "start_at missing",
    files: { "p.yaml": "dag:\n  start_at: nope\n  steps:\n    a:\n      type: stub\n      next: success\n" },
    args: run(),
    expect: ["p.yaml:2:13", "nope"],
  },
  {
    name: "start_at a terminal",
    files: { "p.yaml": "dag:\n  start_at: success\n  steps:\n    success:\n      type: success\n" },
    args: run(),
    expect: ["p.yaml:2:13", "start_at", "success"],
  },
  {
    name: "dot in a step name",
    files: { "p.yaml": "dag:\n  start_at: a.b\n  steps:\n    a.b:\n      type: stub\n      next: success\n" },
    args: run(),
    expect: ["p.yaml:4:5", "a.b"],
  },
  {
    name: "max_attempts zero",
    files: { "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: stub\n      max_attempts: 0\n      next: success\n" },
    args: run(),
    expect: ["p.yaml:6:21", "max_attempts"],
  },
  {
    name: "max_attempts a string",
    files: { "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: stub\n      max_attempts: many\n      next: success\n" },
    args: run(),
    expect: ["p.yaml:6:21", "max_attempts"],
  },
  {
    name: "empty command",
    files: { "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command_type: shell\n      command: ''\n      next: success\n" },
    args: run(),
    expect: ["p.yaml:7:16", "command"],
  },
  {
    name: "next not a string",
    files: { "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: stub\n      next: 3\n" },
    args: run(),
    expect: ["p.yaml:6:13", "next"],
  },
  {
    name: "notebook key on a shell task",
    files: {
      "p.yaml":
        "dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command_type: shell\n      command: echo\n      notebook_output_path: x.ipynb\n      next: success\n",
    },
    args: run(),
    expect: ["p.yaml:8:7", "notebook_output_path"],
  },
  {
    name: "parallel without branches",
    files: { "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: parallel\n      next: success\n" },
    args: run(),
    expect: ["p.yaml:4:", "branches"],
  },
  {
    name: "map without iterate_on",
    files: {
      "p.yaml":
        "dag:\n  start_at: a\n  steps:\n    a:\n      type: map\n      iterate_as: x\n      branch:\n        start_at: b\n        steps:\n          b:\n            type: stub\n            next: success\n      next: success\n",
    },
    args: run(),
    expect: ["p.yaml:4:", "iterate_on"],
  },
  {
    name: "dag_definition file missing",
    files: { "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: dag\n      dag_definition: nowhere.yaml\n      next: success\n" },
    args: run(),
    expect: ["p.yaml:6:23", "nowhere.yaml"],
  },
  {
    name: "two success nodes",
    files: { "p.yaml": ok("    success:\n      type: success\n    done:\n      type: success\n") },
    args: run(),
    expect: ["p.yaml:", "success"],
  },
  { name: "steps not a mapping", files: { "p.yaml": "dag:\n  start_at: a\n  steps: [a, b]\n" }, args: run(), expect: ["p.yaml:3:10", "steps"] },
  {
    name: "unknown command_type",
    files: { "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command_type: perl\n      command: x\n      next: success\n" },
    args: run(),
    expect: ["perl", "shell"],
  },
  { name: "pipeline file missing", files: {}, args: run("missing.yaml"), expect: ["missing.yaml"] },
  {
    name: "unknown service type",
    files: { "p.yaml": ok(), "c.yaml": "run_log_store:\n  type: chunked\n" },
    args: run("p.yaml", "-c", "c.yaml"),
    expect: ["c.yaml:2:9", "chunked", "chunked-fs"],
  },
  {
    name: "unknown service config key",
    files: { "p.yaml": ok(), "c.yaml": "catalog:\n  type: file-system\n  config:\n    location: x\n" },
    args: run("p.yaml", "-c", "c.yaml"),
    expect: ["c.yaml:4:5", "location"],
  },
  {
    name: "unknown config section",
    files: { "p.yaml": ok(), "c.yaml": "executer:\n  type: local\n" },
    args: run("p.yaml", "-c", "c.yaml"),
    expect: ["c.yaml:1:1", "executer", "executor"],
  },
  { name: "config file missing", files: { "p.yaml": ok() }, args: run("p.yaml", "-c", "nope.yaml"), expect: ["nope.yaml"] },
  { name: "parameters file missing", files: { "p.yaml": ok() }, args: run("p.yaml", "-p", "params.yaml"), expect: ["params.yaml"] },
  {
    name: "parameters file not a mapping",
    files: { "p.yaml": ok(), "params.yaml": "- 1\n- 2\n" },
    args: run("p.yaml", "-p", "params.yaml"),
    expect: ["params.yaml:1:1", "mapping"],
  },
  {
    name: "malformed parameters file",
    files: { "p.yaml": ok(), "params.yaml": "a: [1,\n" },
    args: run("p.yaml", "-p", "params.yaml"),
    expect: ["params.yaml:2:"],
  },
  {
    name: "unreadable module",
    files: {
      "p.yaml":
        "dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command_type: typescript\n      command: tasks/missing.ts#run\n      next: success\n",
    },
    args: run(),
    expect: ["p.yaml:4:5", "missing.ts"],
  },
  {
    name: "module with a syntax error",
    files: {
      "bad.ts": "export const = ;\n",
      "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command_type: typescript\n      command: bad.ts#run\n      next: success\n",
    },
    args: run(),
    expect: ["bad.ts", "cannot load"],
  },
  {
    name: "missing export",
    files: {
      "t.ts": "export function other() {}\n",
      "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command_type: typescript\n      command: t.ts#run\n      next: success\n",
    },
    args: run(),
    expect: ["p.yaml:4:5", '"run"', "other"],
  },
  { name: "TypeScript pipeline without default export", files: { "p.ts": "export const x = 1;\n" }, args: run("p.ts"), expect: ["p.ts", "default"] },
  {
    name: "python command that is not a dotted function",
    files: { "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command: echo hello\n      next: success\n" },
    args: run(),
    expect: ["The command should be a function to call as package.module.function", "p.yaml:4:5"],
  },
  {
    name: "python function missing from its module",
    files: {
      "pkg/mod.py": "def other():\n    pass\n",
      "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command: pkg.mod.fn\n      next: success\n",
    },
    args: run(),
    expect: ['has no function "fn"', "p.yaml:4:5"],
  },
  {
    name: "notebook command not an .ipynb",
    files: {
      "p.yaml": "dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command_type: notebook\n      command: analysis.py\n      next: success\n",
    },
    args: run(),
    expect: ["Notebook task should point to a ipynb file", "p.yaml:4:5"],
  },
  { name: "bad run id", files: { "p.yaml": ok() }, args: run("p.yaml", "--run-id", "../x"), expect: ["run id"] },
  { name: "unknown CLI option", files: { "p.yaml": ok() }, args: run("p.yaml", "--colour"), expect: ["--colour"] },
  {
    name: "run_log_store and run-log-store both given",
    files: { "p.yaml": ok(), "c.yaml": "run_log_store:\n  type: file-system\nrun-log-store:\n  type: chunked-fs\n" },
    args: run("p.yaml", "-c", "c.yaml"),
    expect: ['"run_log_store" (c.yaml:1) and "run-log-store" (c.yaml:3)', "c.yaml:3:1"],
  },
];

describe("bad input: clear error, location, exit 2, nothing written", () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir: root, cleanup } = await scratchDir()));
  afterAll(() => cleanup());

  it("covers at least 30 broken inputs", () => expect(CASES.length).toBeGreaterThanOrEqual(30));

  it.each(CASES.map((c, i) => [c.name, i] as const))("%s", async (_name, index) => {
    const c = CASES[index]!;
    const dir = join(root, `case-${index}`);
    await mkdir(dir, { recursive: true });
    for (const [file, text] of Object.entries(c.files)) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), text);
    }
    // The first case through a real `runnable` process, the others through main() in this process
    // (tests/bad-input-classes.test.ts runs more of each class as processes).
    const result = await (index === 0 ? runCli : runMain)(c.args, { cwd: dir, ...(c.env ? { env: c.env } : {}) });
    const output = result.stderr + result.stdout;
    expect(result.code, output).toBe(2);
    for (const part of c.expect) expect(output).toContain(part);
    expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    const left = await readdir(dir);
    expect(left.filter((f) => f === ".run_log_store" || f === ".catalog")).toEqual([]);
  });
});
