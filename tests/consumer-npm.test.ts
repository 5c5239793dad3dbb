import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Packed, installOffline, packPackage, writeConsumerProject } from "./helpers/consumer.js";

// SLOW (~40 s on 2 cores; tests/consumer-python.test.ts is the other consumer test): the npm package as
// a user of their own project gets it. `npm pack`, then two new projects outside the repository install
// the tarball offline (tests/helpers/consumer.ts): an ESM TypeScript project (strict tsc against the
// package's types, a .ts pipeline run by `npx runnable execute`, runnable-ts/testing in vitest and in
// node:test) and a CommonJS one (require). Figures are printed: package size and file count, time from
// the install to a first run.

const run = promisify(execFile);
const TIMEOUT = 120_000;
let base = "";
let packed: Packed;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "runnable-consumer-npm-"));
  packed = await packPackage(base);
}, TIMEOUT);
afterAll(() => rm(base, { recursive: true, force: true }));

/** Runs a command in a consumer project; never throws (the test reads code and output). */
async function inProject(cwd: string, command: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, env: { ...process.env, NO_COLOR: "1" } });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : 1, out: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/** A new project at `name` under the scratch folder, with the tarball installed offline; resolves with its folder and the install's time. */
async function newProject(
  name: string,
  manifest: Record<string, unknown>,
  devDependencies: string[],
  files: Record<string, string>,
): Promise<{ dir: string; installMs: number }> {
  const dir = join(base, name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  await copyFile(packed.tarball, join(dir, "runnable-ts.tgz"));
  await writeConsumerProject(dir, { name, private: true, ...manifest }, packed, "runnable-ts.tgz", devDependencies);
  return { dir, installMs: await installOffline(dir) };
}

describe("the packed npm package", () => {
  it("holds what users need and nothing of the repository's own (no tests, fixtures, source maps, caches)", () => {
    const unwanted = packed.files.filter((file) =>
      /(^|\/)(tests?|fixtures?|\.cache|__pycache__|node_modules)\/|\.test\.|\.map$|\.tsbuildinfo$|^src\/|^dist\/python\//.test(file),
    );
    expect(unwanted).toEqual([]);
    for (const needed of [
      "bin/runnable",
      "bin/runnable.js",
      "dist/cli/runnable.mjs",
      "dist/cli/runnable.blob",
      "dist/cli/runnable.blob.json",
      "dist/cli/bundle/runnable-snapshot.cjs",
      "dist/index.d.ts",
      "dist/testing/index.js",
      "dist/web/index.html",
      "cjs/index.cjs",
      "python/runnable/__init__.py",
      "schemas/pipeline.schema.json",
      "contracts/run-log.schema.json",
    ]) {
      expect(packed.files).toContain(needed);
    }
    console.log(
      `figure: npm package ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${packed.entryCount} files`,
    );
    // The start-up snapshot (dist/cli/runnable.blob, ~8 MB, ~3 MB packed) is most of it: a package packed
    // from a clone serves the machine that packed it, whose Node.js the snapshot fits.
    expect(packed.size).toBeLessThan(6 * 1024 * 1024);
  });
});

const PIPELINE_TS = `import { pipeline, shell, typescript } from "runnable-ts";

/** The greeting a task returns (a parameter of the run). */
export function greet({ name }: { name: string }): { greeting: string } {
  return { greeting: \`hello \${name}\` };
}

export default pipeline({
  steps: [typescript({ name: "greet", function: greet }), shell({ name: "show", command: 'echo "said: $runnable_PRM_greeting"' })],
});
`;

// Types checked for real: were the package's types \`any\`, the @ts-expect-error would be unused (an error).
const TYPES_TS = `import { pipeline, typescript, type RunLog } from "runnable-ts";
import { runWithMocks } from "runnable-ts/testing";

// @ts-expect-error a step needs a name
typescript({ function: () => ({}) });
export const run: Promise<RunLog> = runWithMocks(pipeline({ steps: [typescript({ name: "x", function: () => ({}) })] }));
`;

// A CommonJS TypeScript module (.cts) gets the require() entry's types (cjs/index.d.cts): the ES module's, plus load().
const TYPES_CTS = `import runnable = require("runnable-ts");
import testing = require("runnable-ts/testing");

export const pipe = runnable.pipeline({ steps: [runnable.shell({ name: "s", command: "true" })] });
export const run = runnable.load().then(({ pipeline }) => testing.runWithMocks(pipeline({ steps: [] })));
// @ts-expect-error a pipeline takes options
runnable.pipeline(42);
`;

const VITEST_TS = `import { runWithMocks } from "runnable-ts/testing";
import { expect, test } from "vitest";
import pipe from "./pipeline.js";

test("the pipeline runs with greet patched", async () => {
  const log = await runWithMocks(pipe, { patches: { greet: () => ({ greeting: "hi" }) }, unpatched: "run" });
  expect(log.status).toBe("SUCCESS");
  expect(log.parameters["greeting"]).toBe("hi");
});
`;

const NODE_TEST = `import assert from "node:assert/strict";
import test from "node:test";
import { pipeline, typescript } from "runnable-ts";
import { runWithMocks } from "runnable-ts/testing";

test("runWithMocks under node:test", async () => {
  const pipe = pipeline({ steps: [typescript({ name: "double", function: ({ x }) => ({ y: x * 2 }) })] });
  const log = await runWithMocks(pipe, { parameters: { x: 21 }, unpatched: "run" });
  assert.equal(log.status, "SUCCESS");
  assert.equal(log.parameters.y, 42);
});
`;

const TSCONFIG = {
  // skipLibCheck as `tsc --init` writes it: checking every .d.ts of node_modules (vitest's, Node's) takes ~30 s.
  compilerOptions: { strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", noEmit: true, skipLibCheck: true, types: ["node"] },
  include: ["*.ts", "*.cts"],
};

describe("an ESM TypeScript project", () => {
  let dir = "";
  beforeAll(async () => {
    const started = performance.now();
    const project = await newProject("consumer-esm", { type: "module" }, ["typescript", "vitest", "@types/node"], {
      "pipeline.ts": PIPELINE_TS,
      "types.ts": TYPES_TS,
      "types-commonjs.cts": TYPES_CTS,
      "pipeline.test.ts": VITEST_TS,
      "node-test.mjs": NODE_TEST,
      "parameters.yaml": "name: ada\n",
      "tsconfig.json": JSON.stringify(TSCONFIG, null, 2),
    });
    dir = project.dir;
    const first = await inProject(dir, "npx", ["runnable", "execute", "-f", "pipeline.ts", "-p", "parameters.yaml"]);
    expect(first.out).toContain('said: "hello ada"');
    expect(first.code).toBe(0);
    console.log(
      `figure: npm ci --offline of the tarball (with typescript, vitest, @types/node) ${(project.installMs / 1000).toFixed(1)} s; to the end of a first npx runnable execute ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }, TIMEOUT);

  it(
    "type-checks against the package's types, as ESM and as CommonJS (tsc --strict)",
    async () => {
      const tsc = await inProject(dir, "npx", ["tsc", "-p", "."]);
      expect(tsc.out).toBe("");
      expect(tsc.code).toBe(0);
    },
    TIMEOUT,
  );

  it(
    "tests its pipeline with runnable-ts/testing in vitest",
    async () => {
      const vitest = await inProject(dir, "npx", ["vitest", "run"]);
      expect(vitest.out).toMatch(/1 passed/);
      expect(vitest.code).toBe(0);
    },
    TIMEOUT,
  );

  it(
    "tests with runnable-ts/testing in node:test",
    async () => {
      const nodeTest = await inProject(dir, "node", ["--test", "node-test.mjs"]);
      expect(nodeTest.out).toMatch(/# pass 1/);
      expect(nodeTest.code).toBe(0);
    },
    TIMEOUT,
  );
});

const PIPELINE_CJS = `const { pipeline, shell } = require("runnable-ts");

module.exports = pipeline({ steps: [shell({ name: "hello", command: "echo hello from CommonJS" })] });
`;

// load() works on every Node.js 20 (cjs/entry.cjs); the names straight from require() where require(esm) does.
const CHECK_CJS = `const assert = require("node:assert/strict");
const runnable = require("runnable-ts");
const { runWithMocks } = require("runnable-ts/testing");

(async () => {
  const { pipeline, typescript } = await runnable.load();
  assert.equal(pipeline, runnable.pipeline);
  const pipe = pipeline({ steps: [typescript({ name: "double", function: ({ x }) => ({ y: x * 2 }) })] });
  const log = await runWithMocks(pipe, { parameters: { x: 2 }, unpatched: "run" });
  assert.equal(log.parameters.y, 4);
  console.log("commonjs:", log.status);
})();
`;

describe("a CommonJS JavaScript project", () => {
  let dir = "";
  let first = { code: -1, out: "" };
  beforeAll(async () => {
    const started = performance.now();
    const project = await newProject("consumer-cjs", {}, [], { "pipeline.js": PIPELINE_CJS, "check.js": CHECK_CJS });
    dir = project.dir;
    first = await inProject(dir, "npx", ["runnable", "execute", "-f", "pipeline.js"]);
    console.log(
      `figure: npm ci --offline of the tarball alone ${(project.installMs / 1000).toFixed(1)} s; to the end of a first npx runnable execute ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }, TIMEOUT);

  it(
    "require()s the SDK and runnable-ts/testing",
    async () => {
      const check = await inProject(dir, "node", ["check.js"]);
      expect(check.out).toContain("commonjs: SUCCESS");
      expect(check.code).toBe(0);
    },
    TIMEOUT,
  );

  it("runs a CommonJS pipeline module with npx runnable execute", () => {
    expect(first.out).toContain("hello from CommonJS");
    expect(first.code).toBe(0);
  });
});
