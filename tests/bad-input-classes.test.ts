// Issue 11, items 3 and 9–14: every class of bad input gets a clear error — exit 2, what is wrong,
// where (file:line:col, the setting, the flag) and how to fix it, no stack trace — and nothing is
// written. Most cases run twice: through `execute` and through `validate`, which must refuse
// everything `execute` refuses before a run starts (item 3). Most run through main() in this
// process; AS_PROCESS lists those run as real processes.
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BadCase, IS_ROOT, mountTmpfs, runBadCase } from "./helpers/bad-input.js";
import { REPO } from "./helpers/cli.js";

const stub = (name = "a") => `    ${JSON.stringify(name)}:\n      type: stub\n      next: success\n`;
const dagOf = (steps: string, start = "a") => `dag:\n  start_at: ${JSON.stringify(start)}\n  steps:\n${steps}`;
const OK = dagOf(stub());
const shellTask = (extra = "", command = "echo hi") =>
  `    a:\n      type: task\n      command_type: shell\n      command: ${JSON.stringify(command)}\n${extra}      next: success\n`;
const withCatalog = (stage: "get" | "put", pattern: string) => dagOf(shellTask(`      catalog:\n        ${stage}: [${JSON.stringify(pattern)}]\n`));
const nested = (depth: number): string => {
  const lines = ["dag:"];
  const walk = (level: number, indent: string): void => {
    if (level === 0) {
      lines.push(`${indent}start_at: s`, `${indent}steps:`, `${indent}  s:`, `${indent}    type: stub`, `${indent}    next: success`);
      return;
    }
    lines.push(
      `${indent}start_at: m`,
      `${indent}steps:`,
      `${indent}  m:`,
      `${indent}    type: map`,
      `${indent}    iterate_on: xs`,
      `${indent}    iterate_as: x`,
      `${indent}    next: success`,
      `${indent}    branch:`,
    );
    walk(level - 1, `${indent}      `);
  };
  walk(depth, "  ");
  return `${lines.join("\n")}\n`;
};
const utf16 = (text: string, bigEndian = false): Uint8Array => {
  const body = Buffer.from(text, "utf16le");
  if (bigEndian) body.swap16();
  return Buffer.concat([Buffer.from(bigEndian ? [0xfe, 0xff] : [0xff, 0xfe]), body]);
};
const config = (text: string): Record<string, string> => ({ "p.yaml": OK, "c.yaml": text });
const logFolder = (folder: string) => `run_log_store:\n  type: file-system\n  config:\n    log_folder: ${JSON.stringify(folder)}\n`;
const catalogAt = (folder: string) => `catalog:\n  type: file-system\n  config:\n    catalog_location: ${JSON.stringify(folder)}\n`;

/** Cases of pipeline files: YAML shape, encodings, tags, nesting, names, catalog patterns. */
const PIPELINES: BadCase[] = [
  { name: "empty file", files: { "p.yaml": "" }, args: [], expect: ["p.yaml", '"dag"'] },
  { name: "only comments", files: { "p.yaml": "# nothing here\n" }, args: [], expect: ["p.yaml", '"dag"'] },
  { name: "a list at the top", files: { "p.yaml": "- dag\n" }, args: [], expect: ["p.yaml:1:1", '"dag"'] },
  { name: "a scalar at the top", files: { "p.yaml": "hello\n" }, args: [], expect: ["p.yaml:1:1", '"dag"'] },
  { name: "dag is a list", files: { "p.yaml": "dag: [a]\n" }, args: [], expect: ["p.yaml:1:6", "mapping"] },
  { name: "dag is empty", files: { "p.yaml": "dag:\n" }, args: [], expect: ["p.yaml", "mapping"] },
  { name: "unclosed flow list", files: { "p.yaml": "dag:\n  start_at: a\n  steps: [\n" }, args: [], expect: ["p.yaml:4:1"] },
  { name: "unclosed quote", files: { "p.yaml": 'dag:\n  start_at: "a\n' }, args: [], expect: ["p.yaml:3:1", "Missing closing"] },
  { name: "bad indentation", files: { "p.yaml": "dag:\n  start_at: a\n   steps: {}\n" }, args: [], expect: ["p.yaml:2:13"] },
  { name: "unknown top-level key", files: { "p.yaml": `${OK}dga: 1\n` }, args: [], expect: ["p.yaml:7:1", 'unknown top-level key "dga"', "did you mean"] },
  { name: "unknown top-level key before dag", files: { "p.yaml": `steps: {}\n${OK}` }, args: [], expect: ["p.yaml:1:1", 'unknown top-level key "steps"'] },
  {
    name: "!!python/object tag",
    files: { "p.yaml": dagOf(`    a:\n      type: stub\n      extra: !!python/object:os.system x\n      next: success\n`) },
    args: [],
    expect: ["p.yaml:6:14", "!!python/object:os.system", "not supported"],
  },
  {
    name: "!!python/object/apply tag",
    files: { "p.yaml": `${OK}x: !!python/object/apply:os.system ["ls"]\n` },
    args: [],
    expect: ["p.yaml:7:4", "!!python/object/apply"],
  },
  {
    name: "!!binary tag",
    files: { "p.yaml": dagOf(`    a:\n      type: stub\n      data: !!binary aGk=\n      next: success\n`) },
    args: [],
    expect: ["p.yaml:6:22", "!!binary"],
  },
  {
    name: "!!set tag",
    files: { "p.yaml": dagOf(`    a:\n      type: stub\n      data: !!set {x}\n      next: success\n`) },
    args: [],
    expect: ["p.yaml:6:19", "!!set"],
  },
  {
    name: "local tag",
    files: { "p.yaml": dagOf(`    a:\n      type: stub\n      data: !secret x\n      next: success\n`) },
    args: [],
    expect: ["p.yaml:6:13", "!secret"],
  },
  {
    name: "alias bomb",
    files: {
      "p.yaml": `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n${OK}`,
    },
    args: [],
    expect: ["p.yaml", /alias/i],
  },
  {
    name: "nesting deeper than the YAML limit",
    files: { "p.yaml": `dag:\n  x: ${"[".repeat(450)}${"]".repeat(450)}\n` },
    args: [],
    expect: ["p.yaml:2:", "nests mappings and lists too deeply"],
  },
  {
    name: "nesting that overflows the parser",
    files: { "p.yaml": `dag:\n  x: ${"[".repeat(5000)}${"]".repeat(5000)}\n` },
    args: [],
    expect: ["p.yaml:2:", "too deeply"],
  },
  { name: "120 nested maps (block YAML)", files: { "p.yaml": nested(120) }, args: [], expect: ["p.yaml:", /too deeply|more than 100 levels/] },
  { name: "101 nested maps", files: { "p.yaml": nested(101) }, args: [], expect: ["p.yaml:", "more than 100 levels deep"] },
  { name: "UTF-16 LE file", files: { "p.yaml": utf16(OK) }, args: [], expect: ["p.yaml:1:1", "UTF-16 (little-endian)", "save it as UTF-8"] },
  { name: "UTF-16 BE file", files: { "p.yaml": utf16(OK, true) }, args: [], expect: ["p.yaml:1:1", "UTF-16 (big-endian)"] },
  { name: "UTF-16 without a BOM", files: { "p.yaml": Buffer.from(OK, "utf16le") }, args: [], expect: ["p.yaml:1:2", "NUL byte"] },
  {
    name: "invalid UTF-8 in a step name",
    files: {
      "p.yaml": Buffer.concat([
        Buffer.from('dag:\n  start_at: a\n  steps:\n    "a'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('":\n      type: stub\n      next: success\n'),
      ]),
    },
    args: [],
    expect: ["p.yaml:4:7", "not valid UTF-8", "0xff"],
  },
  {
    name: "Latin-1 text",
    files: { "p.yaml": Buffer.concat([Buffer.from(`${OK}# caf`), Buffer.from([0xe9]), Buffer.from("\n")]) },
    args: [],
    expect: ["p.yaml:7:6", "not valid UTF-8"],
  },
  { name: "a NUL byte", files: { "p.yaml": `${OK}\u0000\n` }, args: [], expect: ["p.yaml:7:1", "NUL byte"] },
  {
    name: "step name with NUL",
    files: { "p.yaml": dagOf(`    "a\\0b":\n      type: stub\n      next: success\n`, "a\\0b") },
    args: [],
    expect: ["p.yaml:4:5", "control characters"],
  },
  {
    name: "step name with a newline",
    files: { "p.yaml": dagOf(`    "a\\nb":\n      type: stub\n      next: success\n`, "a\\nb") },
    args: [],
    expect: ["p.yaml:4:5", "control characters"],
  },
  {
    name: "step name with a tab",
    files: { "p.yaml": dagOf(`    "a\\tb":\n      type: stub\n      next: success\n`, "a\\tb") },
    args: [],
    expect: ["p.yaml:4:5", "control characters"],
  },
  { name: "step name with /", files: { "p.yaml": dagOf(stub("a/b"), "a/b") }, args: [], expect: ["p.yaml:4:5", 'cannot contain "/"'] },
  { name: "step name with \\", files: { "p.yaml": dagOf(stub("a\\b"), "a\\b") }, args: [], expect: ["p.yaml:4:5", 'cannot contain "/"'] },
  {
    name: "step name of 256 bytes",
    files: { "p.yaml": dagOf(stub("x".repeat(256)), "x".repeat(256)) },
    args: [],
    expect: ["p.yaml:4:5", "256 bytes long", "at most 200"],
  },
  {
    name: "step name of 202 UTF-8 bytes",
    files: { "p.yaml": dagOf(stub("é".repeat(101)), "é".repeat(101)) },
    args: [],
    expect: ["p.yaml:4:5", "202 bytes long"],
  },
  {
    name: "step name with a lone surrogate",
    files: { "p.yaml": dagOf(`    "a\\ud800":\n      type: stub\n      next: success\n`, "a\\ud800") },
    args: [],
    expect: ["p.yaml:4:5", "lone surrogate"],
  },
  { name: "step name with a dot", files: { "p.yaml": dagOf(stub("a.b"), "a.b") }, args: [], expect: ["p.yaml:4:5", 'cannot contain "." or "%"'] },
  { name: "step name with %", files: { "p.yaml": dagOf(stub("a%b"), "a%b") }, args: [], expect: ["p.yaml:4:5", 'cannot contain "." or "%"'] },
  { name: "blank step name", files: { "p.yaml": dagOf(stub("  "), "  ") }, args: [], expect: ["p.yaml:4:5", "cannot be empty"] },
  {
    name: "branch name with a newline",
    files: {
      "p.yaml": dagOf(
        `    a:\n      type: parallel\n      next: success\n      branches:\n        "x\\ny":\n          start_at: s\n          steps:\n            s: {type: stub, next: success}\n`,
      ),
    },
    args: [],
    expect: ["p.yaml:8:9", "branch name", "control characters"],
  },
  {
    name: "branch name with /",
    files: {
      "p.yaml": dagOf(
        `    a:\n      type: parallel\n      next: success\n      branches:\n        x/y:\n          start_at: s\n          steps:\n            s: {type: stub, next: success}\n`,
      ),
    },
    args: [],
    expect: ["p.yaml:8:9", "branch name", '"/"'],
  },
  {
    name: "branch name of 300 bytes",
    files: {
      "p.yaml": dagOf(
        `    a:\n      type: parallel\n      next: success\n      branches:\n        ${"b".repeat(300)}:\n          start_at: s\n          steps:\n            s: {type: stub, next: success}\n`,
      ),
    },
    args: [],
    expect: ["p.yaml:8:9", "300 bytes long"],
  },
  { name: "catalog put with ..", files: { "p.yaml": withCatalog("put", "../x") }, args: [], expect: ["p.yaml:9:15", 'walks up with ".."'] },
  { name: "catalog put absolute", files: { "p.yaml": withCatalog("put", "/etc/passwd") }, args: [], expect: ["p.yaml:9:15", "is absolute"] },
  { name: "catalog put a/../../x", files: { "p.yaml": withCatalog("put", "a/../../x") }, args: [], expect: ["p.yaml:9:15", ".."] },
  { name: "catalog put {a,..}/x", files: { "p.yaml": withCatalog("put", "{a,..}/x") }, args: [], expect: ["p.yaml:9:15", ".."] },
  { name: "catalog put @(..)/x", files: { "p.yaml": withCatalog("put", "@(..)/x") }, args: [], expect: ["p.yaml:9:15", ".."] },
  { name: "catalog put a Windows drive", files: { "p.yaml": withCatalog("put", "C:/x") }, args: [], expect: ["p.yaml:9:15", "is absolute"] },
  { name: "catalog put empty", files: { "p.yaml": withCatalog("put", "") }, args: [], expect: ["p.yaml:9:15", "is empty"] },
  {
    name: "catalog get with ..",
    files: { "p.yaml": withCatalog("get", "../other/x") },
    args: [],
    expect: ["p.yaml:9:15", 'walks up with ".."', "the run's catalog"],
  },
  { name: "catalog get absolute", files: { "p.yaml": withCatalog("get", "/tmp/x") }, args: [], expect: ["p.yaml:9:15", "is absolute"] },
  {
    name: "stub catalog with ..",
    files: { "p.yaml": dagOf(`    a:\n      type: stub\n      catalog: {put: [../x]}\n      next: success\n`) },
    args: [],
    expect: ["p.yaml:6:23", ".."],
  },
  {
    name: "unknown command_type",
    files: { "p.yaml": dagOf(shellTask().replace("command_type: shell", "command_type: perl")) },
    args: [],
    expect: ["p.yaml:4:5", 'unknown command_type "perl"', "shell"],
  },
  {
    name: "typescript module missing",
    files: { "p.yaml": dagOf(shellTask().replace("command_type: shell", "command_type: typescript").replace('"echo hi"', "tasks/nope.ts#run")) },
    args: [],
    expect: ["p.yaml:4:5", "nope.ts"],
  },
  {
    name: "typescript export missing",
    files: {
      "t.ts": "export function other() {}\n",
      "p.yaml": dagOf(shellTask().replace("command_type: shell", "command_type: typescript").replace('"echo hi"', "t.ts#run")),
    },
    args: [],
    expect: ["p.yaml:4:5", '"run"', "other"],
  },
  {
    name: "npm package not installed",
    files: {
      "t.ts": 'import pad from "left-pad-not-installed-xyz";\nexport function run() { return pad; }\n',
      "p.yaml": dagOf(shellTask().replace("command_type: shell", "command_type: typescript").replace('"echo hi"', "t.ts#run")),
    },
    args: [],
    expect: ["p.yaml:4:5", "left-pad-not-installed-xyz", "npm install left-pad-not-installed-xyz"],
  },
  {
    name: "typescript module with a syntax error",
    files: {
      "t.ts": "export const = ;\n",
      "p.yaml": dagOf(shellTask().replace("command_type: shell", "command_type: typescript").replace('"echo hi"', "t.ts#run")),
    },
    args: [],
    expect: ["p.yaml:4:5", "t.ts"],
  },
  {
    name: "unknown reducer",
    files: {
      "p.yaml": dagOf(
        `    a:\n      type: map\n      iterate_on: xs\n      iterate_as: x\n      reducer: avg\n      next: success\n      branch:\n        start_at: s\n        steps:\n          s: {type: stub, next: success}\n`,
      ),
    },
    args: [],
    expect: ["p.yaml:4:5", 'unknown reducer "avg"'],
  },
  {
    name: "dag step with both file and inline dag",
    files: {
      "p.yaml": dagOf(
        `    a:\n      type: dag\n      dag_definition: x.yaml\n      dag: {start_at: s, steps: {s: {type: stub, next: success}}}\n      next: success\n`,
      ),
    },
    args: [],
    expect: ["p.yaml:4:5", "exactly one of"],
  },
  {
    name: "included file is UTF-16",
    files: { "inner.yaml": utf16(OK), "p.yaml": dagOf(`    a:\n      type: dag\n      dag_definition: inner.yaml\n      next: success\n`) },
    args: [],
    expect: ["inner.yaml:1:1", "UTF-16"],
  },
  {
    name: "included file has a python tag",
    files: {
      "inner.yaml": `${OK}x: !!python/name:os.system ''\n`,
      "p.yaml": dagOf(`    a:\n      type: dag\n      dag_definition: inner.yaml\n      next: success\n`),
    },
    args: [],
    expect: ["inner.yaml:7:4", "!!python/name"],
  },
  {
    name: "included file has an unknown top-level key",
    files: { "inner.yaml": `${OK}nope: 1\n`, "p.yaml": dagOf(`    a:\n      type: dag\n      dag_definition: inner.yaml\n      next: success\n`) },
    args: [],
    expect: ["inner.yaml:7:1", 'unknown top-level key "nope"'],
  },
];

/** Cases of services configs: shape, encodings, folders a run cannot write to. */
const CONFIGS: BadCase[] = [
  { name: "config: unknown section", files: config("executer:\n  type: local\n"), args: ["-c", "c.yaml"], expect: ["c.yaml:1:1", "executer", "executor"] },
  { name: "config: unknown service type", files: config("run_log_store:\n  type: chunked\n"), args: ["-c", "c.yaml"], expect: ["c.yaml:2:9", "chunked-fs"] },
  {
    name: "config: unknown key of a service",
    files: config("catalog:\n  type: file-system\n  config:\n    location: x\n"),
    args: ["-c", "c.yaml"],
    expect: ["c.yaml:4:5", "location"],
  },
  {
    name: "config: duplicate key",
    files: config("catalog:\n  type: file-system\ncatalog:\n  type: do-nothing\n"),
    args: ["-c", "c.yaml"],
    expect: ["c.yaml:3:1", 'duplicate key "catalog"'],
  },
  {
    name: "config: UTF-16",
    files: { "p.yaml": OK, "c.yaml": utf16("catalog:\n  type: do-nothing\n") },
    args: ["-c", "c.yaml"],
    expect: ["c.yaml:1:1", "UTF-16"],
  },
  {
    name: "config: invalid UTF-8",
    files: { "p.yaml": OK, "c.yaml": Buffer.concat([Buffer.from("catalog:\n  type: do-nothing # "), Buffer.from([0xc3, 0x28]), Buffer.from("\n")]) },
    args: ["-c", "c.yaml"],
    expect: ["c.yaml:2:", "not valid UTF-8"],
  },
  { name: "config: python tag", files: config("catalog: !!python/object:x.Y {}\n"), args: ["-c", "c.yaml"], expect: ["c.yaml:1:10", "!!python/object:x.Y"] },
  { name: "config: too deep", files: config(`catalog: ${"[".repeat(450)}${"]".repeat(450)}\n`), args: ["-c", "c.yaml"], expect: ["c.yaml:1:", "too deeply"] },
  { name: "config: missing file", files: { "p.yaml": OK }, args: ["-c", "nope.yaml"], expect: ["nope.yaml", "-c/--config-file"] },
  {
    name: "config: missing file named by RUNNABLE_CONFIGURATION_FILE",
    files: { "p.yaml": OK },
    args: [],
    env: { RUNNABLE_CONFIGURATION_FILE: "gone.yaml" },
    expect: ["gone.yaml", "RUNNABLE_CONFIGURATION_FILE"],
  },
  {
    name: "log_folder under a regular file",
    files: { ...config(logFolder("afile/logs")), afile: "x" },
    args: ["-c", "c.yaml"],
    expect: ["run_log_store.config.log_folder (in c.yaml)", "which is a file, not a folder"],
  },
  {
    name: "log_folder is a regular file",
    files: { ...config(logFolder("afile")), afile: "x" },
    args: ["-c", "c.yaml"],
    expect: ["log_folder", "is a file, not a folder"],
  },
  { name: "log_folder under /proc", files: config(logFolder("/proc/runnable-test/logs")), args: ["-c", "c.yaml"], expect: ["log_folder", "proc file system"] },
  { name: "log_folder under /sys", files: config(logFolder("/sys/runnable-test")), args: ["-c", "c.yaml"], expect: ["log_folder", "sysfs file system"] },
  {
    name: "log_folder through a dangling link",
    files: config(logFolder("gone/logs")),
    args: ["-c", "c.yaml"],
    setup: (dir) => symlink(join(dir, "missing-target"), join(dir, "gone")),
    expect: ["log_folder", "symbolic link to a missing target"],
  },
  {
    name: "chunked-fs log_folder under a file",
    files: { ...config("run_log_store:\n  type: chunked-fs\n  config:\n    log_folder: f/x\n"), f: "" },
    args: ["-c", "c.yaml"],
    expect: ["log_folder", "not a folder"],
  },
  {
    name: "catalog_location under a file",
    files: { ...config(catalogAt("f/cat")), f: "" },
    args: ["-c", "c.yaml"],
    expect: ["catalog.config.catalog_location (in c.yaml)", "not a folder"],
  },
  {
    name: "catalog_location under /proc",
    files: config(catalogAt("/proc/self/nope")),
    args: ["-c", "c.yaml"],
    expect: ["catalog_location", "proc file system"],
  },
  {
    name: "log_folder on a read-only file system",
    skip: IS_ROOT ? false : "mounting needs root",
    files: config(logFolder("ro/logs")),
    args: ["-c", "c.yaml"],
    setup: (dir) => mountTmpfs(join(dir, "ro"), "ro,size=1m"),
    expect: ["log_folder", "read-only file system"],
  },
  {
    name: "log_folder on a full file system",
    skip: IS_ROOT ? false : "mounting needs root",
    files: config(logFolder("full/logs")),
    args: ["-c", "c.yaml"],
    setup: async (dir) => {
      const umount = await mountTmpfs(join(dir, "full"), "size=64k");
      await writeFile(join(dir, "full", "filler"), Buffer.alloc(64 * 1024)).catch(() => undefined);
      return umount;
    },
    expect: ["log_folder", "full file system", "free some space"],
  },
  {
    name: "catalog on a full file system",
    skip: IS_ROOT ? false : "mounting needs root",
    files: config(catalogAt("full/cat")),
    args: ["-c", "c.yaml"],
    setup: async (dir) => {
      const umount = await mountTmpfs(join(dir, "full"), "size=64k");
      await writeFile(join(dir, "full", "filler"), Buffer.alloc(64 * 1024)).catch(() => undefined);
      return umount;
    },
    expect: ["catalog_location", "full file system"],
  },
  {
    name: "log_folder not writable",
    skip: IS_ROOT ? "root may write anywhere" : false,
    files: config(logFolder("locked/logs")),
    args: ["-c", "c.yaml"],
    setup: async (dir) => {
      await mkdir(join(dir, "locked"), { mode: 0o555 });
    },
    expect: ["log_folder", "not writable"],
  },
  {
    name: "mlflow without server_url or MLFLOW_TRACKING_URI",
    files: config("experiment_tracker:\n  type: mlflow\n"),
    args: ["-c", "c.yaml"],
    env: { MLFLOW_TRACKING_URI: "" },
    expect: ["experiment_tracker mlflow has no server", "MLFLOW_TRACKING_URI"],
  },
  {
    name: "MLFLOW_TRACKING_URI not a URL",
    files: config("experiment_tracker:\n  type: mlflow\n"),
    args: ["-c", "c.yaml"],
    env: { MLFLOW_TRACKING_URI: "databricks" },
    expect: ['MLFLOW_TRACKING_URI "databricks"', "http(s)"],
  },
  {
    // (An unknown variable is no longer bad input: runnable 0.50 keeps it as written, and so do we, with a warning.)
    name: "executor and pipeline-executor both given",
    files: config("executor:\n  type: local\npipeline-executor:\n  type: local\n"),
    args: ["-c", "c.yaml"],
    expect: ['"executor" (c.yaml:1) and "pipeline-executor" (c.yaml:3)', "c.yaml:3:1", "keep one of them"],
  },
];

/** Cases of initial parameters: the -p file and RUNNABLE_PRM_* variables. */
const PARAMETERS: BadCase[] = [
  {
    name: "-p: 1e400",
    files: { "p.yaml": OK, "x.yaml": "big: 1e400\n" },
    args: ["-p", "x.yaml"],
    expect: ["x.yaml:1:6", "parameter big is Infinity", "quote it"],
  },
  { name: "-p: -1e400", files: { "p.yaml": OK, "x.yaml": "small: -1e400\n" }, args: ["-p", "x.yaml"], expect: ["x.yaml:1:8", "-Infinity"] },
  {
    name: "-p: an integer beyond 2^53",
    files: { "p.yaml": OK, "x.yaml": "id: 12345678901234567890\n" },
    args: ["-p", "x.yaml"],
    expect: ["x.yaml:1:5", "more digits than a 64-bit float keeps"],
  },
  { name: "-p: .nan", files: { "p.yaml": OK, "x.yaml": "x: .nan\n" }, args: ["-p", "x.yaml"], expect: ["x.yaml:1:4", "is NaN"] },
  {
    name: "-p: .inf inside a list",
    files: { "p.yaml": OK, "x.yaml": "xs: [1, .inf]\n" },
    args: ["-p", "x.yaml"],
    expect: ["x.yaml:1:9", "parameter xs.1 is Infinity"],
  },
  {
    name: "-p: a big integer inside a mapping",
    files: { "p.yaml": OK, "x.yaml": "m:\n  id: 99999999999999999999\n" },
    args: ["-p", "x.yaml"],
    expect: ["x.yaml:2:7", "parameter m.id"],
  },
  {
    name: "-p: nested 120 levels",
    files: { "p.yaml": OK, "x.yaml": `deep: ${"[".repeat(120)}${"]".repeat(120)}\n` },
    args: ["-p", "x.yaml"],
    expect: ["x.yaml:", "more than 100 levels deep"],
  },
  {
    name: "-p: nesting beyond the YAML limit",
    files: { "p.yaml": OK, "x.yaml": `deep: ${"[".repeat(600)}${"]".repeat(600)}\n` },
    args: ["-p", "x.yaml"],
    expect: ["x.yaml:1:", "too deeply"],
  },
  { name: "-p: a name with =", files: { "p.yaml": OK, "x.yaml": '"a=b": 1\n' }, args: ["-p", "x.yaml"], expect: ["x.yaml:1:1", 'cannot contain "="'] },
  {
    name: "-p: a name with a newline",
    files: { "p.yaml": OK, "x.yaml": '"a\\nb": 1\n' },
    args: ["-p", "x.yaml"],
    expect: ["x.yaml:1:1", "control characters"],
  },
  { name: "-p: a list", files: { "p.yaml": OK, "x.yaml": "- 1\n- 2\n" }, args: ["-p", "x.yaml"], expect: ["x.yaml:1:1", "mapping"] },
  { name: "-p: a scalar", files: { "p.yaml": OK, "x.yaml": "3\n" }, args: ["-p", "x.yaml"], expect: ["x.yaml:1:1", "mapping"] },
  { name: "-p: malformed", files: { "p.yaml": OK, "x.yaml": "a: [1,\n" }, args: ["-p", "x.yaml"], expect: ["x.yaml:2:"] },
  { name: "-p: duplicate key", files: { "p.yaml": OK, "x.yaml": "a: 1\na: 2\n" }, args: ["-p", "x.yaml"], expect: ["x.yaml:2:1", 'duplicate key "a"'] },
  { name: "-p: UTF-16", files: { "p.yaml": OK, "x.yaml": utf16("a: 1\n") }, args: ["-p", "x.yaml"], expect: ["x.yaml:1:1", "UTF-16"] },
  {
    name: "-p: invalid UTF-8",
    files: { "p.yaml": OK, "x.yaml": Buffer.from([0x61, 0x3a, 0x20, 0xff, 0x0a]) },
    args: ["-p", "x.yaml"],
    expect: ["x.yaml:1:4", "not valid UTF-8"],
  },
  { name: "-p: python tag", files: { "p.yaml": OK, "x.yaml": "a: !!python/tuple [1, 2]\n" }, args: ["-p", "x.yaml"], expect: ["x.yaml:1:4", "!!python/tuple"] },
  { name: "-p: missing file", files: { "p.yaml": OK }, args: ["-p", "gone.yaml"], expect: ["gone.yaml", "-p/--parameters-file"] },
  {
    name: "RUNNABLE_PRM_: JSON nested 20,000 levels",
    files: { "p.yaml": OK },
    args: [],
    env: { RUNNABLE_PRM_deep: `${"[".repeat(20_000)}${"]".repeat(20_000)}` },
    expect: ["RUNNABLE_PRM_deep", "more than 100 levels deep"],
  },
  {
    name: "RUNNABLE_PRM_: 1e400",
    files: { "p.yaml": OK },
    args: [],
    env: { RUNNABLE_PRM_x: "1e400" },
    expect: ["RUNNABLE_PRM_x", "too large for a 64-bit float", "quote the value"],
  },
  { name: "RUNNABLE_PRM_: -1e999 in a list", files: { "p.yaml": OK }, args: [], env: { RUNNABLE_PRM_x: "[1, -1e999]" }, expect: ["RUNNABLE_PRM_x", "-1e999"] },
  {
    name: "RUNNABLE_PRM_: a big integer",
    files: { "p.yaml": OK },
    args: [],
    env: { RUNNABLE_PRM_id: "12345678901234567890" },
    expect: ["RUNNABLE_PRM_id", "more digits"],
  },
  {
    name: "RUNNABLE_PRM_: a big integer in an object",
    files: { "p.yaml": OK },
    args: [],
    env: { RUNNABLE_PRM_m: '{"id": 98765432109876543210}' },
    expect: ["RUNNABLE_PRM_m", "98765432109876543210"],
  },
  { name: "runnable_PRM_: 1e400", files: { "p.yaml": OK }, args: [], env: { runnable_PRM_y: "1e400" }, expect: ["runnable_PRM_y", "too large"] },
];

/** Cases of command-line flags. */
const FLAGS: BadCase[] = [
  { name: "--run-id with /", files: { "p.yaml": OK }, args: ["--run-id", "a/b"], expect: ['invalid run id "a/b"'] },
  { name: "--run-id ..", files: { "p.yaml": OK }, args: ["--run-id", "../x"], expect: ["run id"] },
  { name: "--run-id with a space", files: { "p.yaml": OK }, args: ["--run-id", "a b"], expect: ['invalid run id "a b"'] },
  { name: "--run-id empty", files: { "p.yaml": OK }, args: ["--run-id", ""], expect: ["run id"] },
  { name: "--run-id too long", files: { "p.yaml": OK }, args: ["--run-id", "r".repeat(300)], expect: ["run id"] },
  { name: "--use-cached an unknown run", files: { "p.yaml": OK }, args: ["--use-cached", "never-ran"], expect: ["never-ran", "runnable runs list"] },
  { name: "--log-level unknown", files: { "p.yaml": OK }, args: ["--log-level", "LOUD"], expect: ["Allowed choices are DEBUG, INFO, WARNING, ERROR, FATAL"] },
  { name: "an unknown option", files: { "p.yaml": OK }, args: ["--colour"], expect: ["unknown option '--colour'"] },
];

/** Cases of other commands (run on their own, not through execute/validate). */
const COMMANDS: BadCase[] = [
  {
    name: "runs show --branches abc",
    files: {},
    args: ["runs", "show", "r1", "--branches", "abc"],
    expect: ['--branches must be a whole number ≥ 0, not "abc"'],
  },
  { name: "runs show --branches -1", files: {}, args: ["runs", "show", "r1", "--branches", "-1"], expect: ["--branches must be a whole number"] },
  { name: "runs show --branches 1.5", files: {}, args: ["runs", "show", "r1", "--branches", "1.5"], expect: ["--branches must be a whole number"] },
  { name: "runs list --limit abc", files: {}, args: ["runs", "list", "--limit", "abc"], expect: ['--limit must be a whole number ≥ 1, not "abc"'] },
  { name: "runs list --limit 2x", files: {}, args: ["runs", "list", "--limit", "2x"], expect: ["--limit must be a whole number"] },
  { name: "runs list --status unknown", files: {}, args: ["runs", "list", "--status", "DONE"], expect: ['--status "DONE" is not a status'] },
  { name: "runs show an unknown run", files: {}, args: ["runs", "show", "nope"], expect: ['No run log with id "nope"'] },
  { name: "runs show an invalid id", files: {}, args: ["runs", "show", "../etc"], expect: ["../etc", "contains"] },
  { name: "retry an unknown run", files: {}, args: ["retry", "nope"], expect: ['No run "nope"'] },
  { name: "runs gc --older-than abc", files: {}, args: ["runs", "gc", "--older-than", "abc"], expect: ['--older-than "abc" is not a duration'] },
  { name: "ui --port abc", files: {}, args: ["ui", "--port", "abc"], expect: ["--port must be a whole number"] },
  { name: "an unknown command", files: {}, args: ["frobnicate"], expect: ["unknown command 'frobnicate'"] },
  { name: "execute -f without a value", files: {}, args: ["execute", "-f"], expect: ["argument missing"] },
  { name: "execute a missing pipeline", files: {}, args: ["execute", "-f", "gone.yaml"], expect: ["gone.yaml", "not found"] },
  {
    name: "a TypeScript pipeline without a default export",
    files: { "p.ts": "export const x = 1;\n" },
    args: ["execute", "-f", "p.ts"],
    expect: ["p.ts", "default"],
  },
  {
    name: "a TypeScript pipeline that throws on import",
    files: { "p.ts": 'throw new Error("broken module");\n' },
    args: ["execute", "-f", "p.ts"],
    expect: ["p.ts", "broken module"],
  },
  { name: "validate a missing pipeline", files: {}, args: ["validate", "gone.yaml"], expect: ["gone.yaml", "not found"] },
];

/** SDK pipelines (TypeScript modules) with mistakes the SDK must catch (item 7). */
const sdkModule = (body: string): Record<string, string> => ({
  "package.json": '{"type":"module"}',
  "p.ts": `import { pipeline, stub, shell, typescript, task, dag, map } from "runnable-ts";\n${body}\n`,
});
const SDK: BadCase[] = [
  {
    name: "SDK: a misspelt option (maxAttempt)",
    files: sdkModule('export default pipeline({ steps: [shell({ name: "a", command: "true", maxAttempt: 3 } as never)] });'),
    args: [],
    expect: ['unknown option "maxAttempt"', 'did you mean "maxAttempts"'],
  },
  {
    name: "SDK: an unknown pipeline option",
    files: sdkModule('export default pipeline({ steps: [stub({ name: "a" })], desc: "x" } as never);'),
    args: [],
    expect: ["p.ts", 'unknown option "desc"', "allowed options: name, description, steps"],
  },
  {
    name: "SDK: an unknown command type",
    files: sdkModule('export default pipeline({ steps: [task({ name: "a", command: "x", commandType: "perl" as never })] });'),
    args: [],
    expect: ['unknown command_type "perl"'],
  },
  {
    name: "SDK: duplicate step names",
    files: sdkModule('export default pipeline({ steps: [stub({ name: "a" }), stub({ name: "a" })] });'),
    args: [],
    expect: ['duplicate step name "a"'],
  },
  {
    name: "SDK: catalog pattern with ..",
    files: sdkModule('export default pipeline({ steps: [shell({ name: "a", command: "true", catalog: { put: ["../x"] } })] });'),
    args: [],
    expect: ['catalog put pattern "../x" walks up'],
  },
  {
    name: "SDK: a step name with a newline",
    files: sdkModule('export default pipeline({ steps: [stub({ name: "a\\nb" })] });'),
    args: [],
    expect: ["control characters"],
  },
  {
    name: "SDK: dag() with neither definition nor pipeline",
    files: sdkModule('export default pipeline({ steps: [dag({ name: "d" } as never)] });'),
    args: [],
    expect: ["give either definition"],
  },
  {
    name: "SDK: maps nested 150 deep",
    files: sdkModule(
      'let inner = [stub({ name: "s" })];\nfor (let i = 0; i < 150; i++) inner = [map({ name: `m${i}`, iterateOn: "xs", iterateAs: `x${i}`, branch: pipeline({ steps: inner }) })];\nexport default pipeline({ steps: inner });',
    ),
    args: [],
    expect: ["more than 100 levels deep"],
  },
];

const viaExecute = (c: BadCase): BadCase => ({ ...c, name: `execute: ${c.name}`, args: ["execute", "-f", c.files?.["p.ts"] ? "p.ts" : "p.yaml", ...c.args] });
const viaValidate = (c: BadCase): BadCase => ({ ...c, name: `validate: ${c.name}`, args: ["validate", c.files?.["p.ts"] ? "p.ts" : "p.yaml", ...c.args] });
const BOTH = [...PIPELINES, ...CONFIGS, ...PARAMETERS, ...FLAGS.filter((c) => !c.args.includes("--use-cached") && !c.args.includes("--run-id")), ...SDK];
/**
 * Cases run as real `runnable` processes; the others run through main() in this process (what they
 * check is the same, without a Node start per case). These are one per class plus those where the
 * process itself could differ: stack overflows, module loading (tsx), commander's own errors.
 */
const AS_PROCESS = new Set([
  "execute: empty file",
  "execute: nesting that overflows the parser",
  "validate: nesting that overflows the parser",
  "execute: config: unknown section",
  "execute: -p: 1e400",
  "execute: RUNNABLE_PRM_: JSON nested 20,000 levels",
  "execute: --run-id with /",
  "execute: --log-level unknown",
  "execute: typescript module with a syntax error",
  "execute: npm package not installed",
  "execute: SDK: a misspelt option (maxAttempt)",
  "validate: SDK: maps nested 150 deep",
  "runs show an unknown run",
  "an unknown command",
  "execute -f without a value",
  "a TypeScript pipeline that throws on import",
]);
const CASES: BadCase[] = [
  ...BOTH.map(viaExecute),
  ...BOTH.map(viaValidate),
  ...FLAGS.filter((c) => c.args.includes("--use-cached") || c.args.includes("--run-id")).map(viaExecute),
  ...COMMANDS,
].map((c) => ({ ...c, process: AS_PROCESS.has(c.name) }));

describe("bad input, by class (issue 11): exit 2, what/where/how to fix, no stack trace, nothing written", () => {
  let root = "";
  let tmp = "";
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "runnable-bad-"));
    tmp = await mkdtemp(join(tmpdir(), "runnable-bad-tmp-"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(tmp, { recursive: true, force: true });
  });

  it("covers at least 150 cases, in every class", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(150);
    for (const group of [PIPELINES, CONFIGS, PARAMETERS, FLAGS, COMMANDS, SDK]) expect(group.length).toBeGreaterThan(5);
    expect(new Set(CASES.filter((c) => c.process).map((c) => c.name))).toEqual(AS_PROCESS); // every name listed is a case
  });

  for (const c of CASES.filter((c) => c.skip)) it.skip(`${c.name} (${c.skip})`, () => undefined);

  it.concurrent.each(CASES.map((c, index) => [c.name, index] as const).filter(([, index]) => !CASES[index]!.skip))("%s", async (_name, index) => {
    const c = CASES[index]!;
    const dir = join(root, `case-${index}`);
    await mkdir(join(dir, "node_modules"), { recursive: true });
    await symlink(REPO, join(dir, "node_modules", "runnable-ts"));
    await runBadCase(dir, c, tmp);
  });
});
