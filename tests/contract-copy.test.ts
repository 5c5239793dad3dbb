import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mapLimit } from "../src/core/map-limit.js";
import { mutants } from "../src/testing/json-mutants.js";
import { GENERATED_SCHEMAS, REGENERATE, generatedSchemaFiles } from "../scripts/generate-schemas.js";
import { REPO, runCli, scratchDir } from "./helpers/cli.js";

// contracts/run-log.schema.json is generated from the zod run log schema (src/core/run-log-schema.ts). The
// shared contract beside the clone (../shared/contracts/, hand-written, read-only) can no longer be the
// same text, so the two are held to the same answers: both compiled with ajv (draft 2020-12) and run on
// every run log the example pipelines write plus thousands of mutants of them. The shared file is a
// sibling of the clone, not part of it: without it the equivalence is skipped (whether it should exist
// cannot be told from inside the clone, so CI does not fail on its absence either).
// RUNNABLE_SHARED_CONTRACTS names its folder when the clone is elsewhere (e.g. a worktree).

const shared = resolve(process.env.RUNNABLE_SHARED_CONTRACTS ?? resolve(REPO, "../shared/contracts"), "run-log.schema.json");
const ours = resolve(REPO, "contracts/run-log.schema.json");

describe("the generated JSON Schema files", () => {
  it.each(GENERATED_SCHEMAS.map(({ file }) => file))("%s is what the zod schema generates", (file) => {
    const generated = generatedSchemaFiles().find((entry) => entry.file === file)!;
    const committed = existsSync(resolve(REPO, file)) ? readFileSync(resolve(REPO, file), "utf8") : "(missing)";
    expect(committed, `${file} differs from what its zod schema generates: run \`${REGENERATE}\` and commit it`).toBe(generated.text);
  });
});

type Validate = ((document: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string }> | null };

function compile(file: string): Validate {
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  return ajv.compile(JSON.parse(readFileSync(file, "utf8"))) as unknown as Validate;
}

// Where the generated schema says more than the shared one, on purpose: the additive fields it types (the
// shared contract lists them nowhere, so anything goes there), variables as text (runnable's own model is
// dict[str, str]) and attempt numbers as safe integers. A document the shared contract accepts may be
// refused by ours only for errors there.
const TIGHTENED = [
  /^\/initial_parameters(\/|$)/,
  /\/output_parameters(\/|$)/,
  /(^|\/)(output_)?parameter_kinds(\/|$)/,
  /\/branches\/[^/]+\/parameters(\/|$)/,
  /\/attempts\/\d+\/(user_defined_metrics|metric_times_ms)(\/|$)/,
  /^\/run_config\/variables\/./,
  /\/attempts\/\d+\/attempt_number$/,
];

/**
 * A TypeScript pipeline whose run log has what the YAML examples lack: retried attempts with metrics,
 * output parameters, map and parallel branches, returned values with their kinds (an object, a metric).
 */
const SDK_PIPELINE = `
import { existsSync, writeFileSync } from "node:fs";
import { map, metric, object, parallel, pipeline, stub, track, typescript } from ${JSON.stringify(join(REPO, "dist/index.js"))};
const square = pipeline({ steps: [typescript({ name: "square", function: ({ item }) => ({ squared: item * item }) })] });
export default pipeline({
  steps: [
    typescript({ name: "train", maxAttempts: 2, function: () => {
      track({ loss: 0.5 }, 1);
      if (!existsSync("tried")) { writeFileSync("tried", ""); throw new Error("the first attempt fails"); }
      return { items: [1, 2, 3], model: "m.pkl" };
    } }),
    map({ name: "each", iterateOn: "items", iterateAs: "item", branch: square }),
    typescript({ name: "fit", function: () => [new Map([["w", 1]]), 0.5], returns: [object("model"), metric("score")] }),
    parallel({ name: "both", branches: { a: pipeline({ steps: [stub({ name: "a1" })] }), b: pipeline({ steps: [stub({ name: "b1" })] }) } }),
  ],
});
`;

/** Pipelines to run (YAML examples that need no Python, and the SDK pipeline above), with their arguments. */
const RUNS: string[][] = [
  ["examples/concepts/traversal.yaml"],
  ["examples/contrived.yaml"],
  ["examples/mocking.yaml"],
  ["examples/default-fail.yaml"],
  ["examples/on-failure.yaml"],
  ["examples/parallel-fail.yaml"],
  ["examples/retry-fail.yaml"],
  ["examples/shell-outputs.yaml"],
  ["examples/terminals-omitted.yaml"],
  ["examples/catalog.yaml"],
  ["examples/concepts/task_shell_simple.yaml"],
  ["examples/concepts/task_shell_parameters.yaml", "-p", "examples/concepts/parameters.yaml"],
  ["examples/concepts/map_shell.yaml", "-p", "examples/concepts/parameters.yaml"],
  ["examples/concepts/map_reducer.yaml", "-p", "examples/concepts/parameters.yaml"],
  ["examples/concepts/nesting.yaml"],
  ["examples/concepts/parallel.yaml"],
  ["examples/concepts/nested_dag.yaml"],
  ["sdk-pipeline.mjs"],
];

describe.skipIf(!existsSync(shared))("the generated run log contract and the shared one", () => {
  let scratch: Awaited<ReturnType<typeof scratchDir>>;
  const logs: unknown[] = [];

  beforeAll(async () => {
    scratch = await scratchDir();
    writeFileSync(join(scratch.dir, "sdk-pipeline.mjs"), SDK_PIPELINE);
    await mapLimit(RUNS, 3, async ([file, ...args], index) => {
      await runCli(["execute", "-f", file!, ...args, "--run-id", `run-${index}`, "-q"], { cwd: scratch.dir });
    });
    const store = join(scratch.dir, ".run_log_store");
    for (const name of readdirSync(store).filter((entry) => /^run-\d+\.json$/.test(entry))) logs.push(JSON.parse(readFileSync(join(store, name), "utf8")));
  }, 180_000);

  afterAll(() => scratch?.cleanup());

  it("accept every run log the example pipelines write", () => {
    expect(logs.length).toBeGreaterThanOrEqual(RUNS.length - 2);
    const [theirs, mine] = [compile(shared), compile(ours)];
    for (const log of logs) expect([theirs(log), mine(log), theirs.errors ?? mine.errors]).toEqual([true, true, null]);
  });

  it("give the same answer on their mutants, but where the generated schema says more on purpose", () => {
    const [theirs, mine] = [compile(shared), compile(ours)];
    const documents = [...logs, ...systematicMutants(logs.at(-1)), ...mutants(logs, 4000, 23)];
    const tally = { both: 0, neither: 0, tightened: 0 };
    for (const document of documents) {
      const [accepted, acceptedByOurs] = [theirs(document), mine(document)];
      if (accepted === acceptedByOurs) tally[accepted ? "both" : "neither"]++;
      else if (accepted && (mine.errors ?? []).every((error) => TIGHTENED.some((where) => where.test(error.instancePath)))) tally.tightened++;
      else expect.fail(`shared ${accepted}, generated ${acceptedByOurs} (${JSON.stringify(mine.errors ?? theirs.errors)}) on ${JSON.stringify(document)}`);
    }
    expect(tally.both).toBeGreaterThan(500);
    expect(tally.neither).toBeGreaterThan(2000);
  });
});

/** Each key of `document` removed, set to null, to a number and to a bad string, one at a time; statuses, times and durations broken. */
function systematicMutants(document: unknown): unknown[] {
  const out: unknown[] = [];
  const visit = (node: unknown, path: Array<string | number>) => {
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      const at = [...path, Array.isArray(node) ? Number(key) : key];
      const replacements = [undefined, null, 7, "not a time", "DONE", -1, [], {}];
      for (const replacement of replacements) out.push(replaced(document, at, replacement));
      visit(value, at);
    }
  };
  visit(document, []);
  return out;
}

function replaced(document: unknown, path: Array<string | number>, value: unknown): unknown {
  const copy = structuredClone(document) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined && !Array.isArray(node)) delete node[last];
  else node[last] = value;
  return copy;
}
