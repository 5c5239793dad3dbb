import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { load } from "js-yaml";
import { globSync } from "tinyglobby";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadServicesConfig } from "../src/config/load-config.js";
import { isRunnableError } from "../src/core/errors.js";
import { isMapping } from "../src/core/values.js";
import { loadPipelineFile } from "../src/definition/load-pipeline.js";
import { builtinRegistry } from "../src/runtime/builtins.js";
import { knownServiceSchemas } from "../src/runtime/compose-services.js";
import { REPO, runMain } from "./helpers/cli.js";

// The JSON Schemas editors use (schemas/*.schema.json, `runnable schema`), generated from the zod schemas
// the loaders validate with, held to the loaders themselves: every example pipeline and config of this
// repository and of runnable 0.50.0 gets the same verdict from the schema (ajv, as an editor's language
// server runs it) as from the loader, and a misspelt key is flagged by both. (That a committed schema is
// what `npm run schemas` generates is tests/contract-copy.test.ts.)

type Validate = ((document: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string; params: Record<string, unknown> }> | null };

const compile = async (file: string): Promise<Validate> => {
  const ajv = new Ajv2020.default({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(await readFile(join(REPO, file), "utf8"))) as unknown as Validate;
};

const known = knownServiceSchemas(builtinRegistry());
const YAML_FILES = globSync(["examples/**/*.{yaml,yml}", "tests/fixtures/runnable-050/examples/**/*.{yaml,yml}"], { cwd: REPO }).sort();
const textOf = (file: string): string => readFileSync(join(REPO, file), "utf8");
const documents = YAML_FILES.map((file) => ({ file, document: load(textOf(file)) as unknown }));
/** Pipelines: a top-level `dag`. */
const PIPELINES = documents.filter(({ document }) => isMapping(document) && "dag" in document);
/** Configs: a mapping whose keys name services (February 2024's spelling or 0.50's); parameter files are neither. */
const CONFIGS = documents.filter(
  ({ document }) =>
    isMapping(document) &&
    !("dag" in document) &&
    Object.keys(document).some((key) => /executor|run.log.store|^catalog$|^secrets$|tracker|task_runners/.test(key)),
);

/** The verdict of the pipeline loader (the definition layer: what `validate` checks before the runtime's checks). */
async function loaderAcceptsPipeline(file: string): Promise<boolean> {
  try {
    await loadPipelineFile(join(REPO, file), { cwd: REPO });
    return true;
  } catch (error) {
    if (isRunnableError(error, "PIPELINE_INVALID", "YAML_SYNTAX")) return false;
    throw error;
  }
}

/** The verdict of the config loader; `${name}`/`$name` placeholders get a value (the schema sees text either way). */
async function loaderAcceptsConfig(file: string, cwd: string): Promise<boolean> {
  const env: Record<string, string> = {};
  for (const match of textOf(file).matchAll(/\$\{?(\w+)/g)) env[`RUNNABLE_VAR_${match[1]}`] = "value";
  try {
    await loadServicesConfig({ file: join(REPO, file), env, cwd, known });
    return true;
  } catch (error) {
    if (isRunnableError(error, "CONFIG_INVALID")) return false;
    throw error;
  }
}

let pipelineSchema: Validate;
let configSchema: Validate;
let scratch = "";
beforeAll(async () => {
  pipelineSchema = await compile("schemas/pipeline.schema.json");
  configSchema = await compile("schemas/config.schema.json");
  scratch = await mkdtemp(join(tmpdir(), "runnable-schemas-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("runnable schema pipeline|config", () => {
  it.each(["pipeline", "config"])("prints schemas/%s.schema.json", async (name) => {
    const result = await runMain(["schema", name], { cwd: scratch });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(await readFile(join(REPO, `schemas/${name}.schema.json`), "utf8"));
  });

  it("refuses another name, listing the two, exit 2", async () => {
    const result = await runMain(["schema", "pipline"], { cwd: scratch });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Allowed choices are pipeline, config");
  });
});

describe("the pipeline schema agrees with the pipeline loader", () => {
  it("finds the examples (this repository's and runnable 0.50.0's)", () => {
    expect(PIPELINES.length).toBeGreaterThan(60);
    expect(PIPELINES.some(({ file }) => file.startsWith("tests/fixtures/runnable-050/"))).toBe(true);
  });

  it.each(PIPELINES.map(({ file }) => file))("%s: the same verdict", async (file) => {
    const document = PIPELINES.find((entry) => entry.file === file)!.document;
    const schemaSays = pipelineSchema(document);
    expect(schemaSays, JSON.stringify(pipelineSchema.errors?.slice(0, 3))).toBe(await loaderAcceptsPipeline(file));
  });

  it("flags a misspelt key of the graph and of a task step in every valid example, where the loader refuses it too", async () => {
    let tasks = 0;
    for (const { file, document } of PIPELINES.filter((entry) => pipelineSchema(entry.document))) {
      const dag = (document as { dag: Record<string, unknown> }).dag;
      const { start_at, ...rest } = dag;
      expect(pipelineSchema({ dag: { strat_at: start_at, ...rest } }), file).toBe(false);
      expect(pipelineSchema.errors).toContainEqual(expect.objectContaining({ keyword: "additionalProperties", params: { additionalProperty: "strat_at" } }));
      const steps = dag.steps as Record<string, Record<string, unknown>>;
      const [name, task] = Object.entries(steps).find(([, step]) => step.type === "task") ?? [];
      if (!name || !task) continue;
      tasks++;
      const { command, ...others } = task;
      const mutant = { dag: { ...dag, steps: { ...steps, [name]: { ...others, comand: command } } } };
      expect(pipelineSchema(mutant), file).toBe(false);
      expect(pipelineSchema.errors).toContainEqual(
        expect.objectContaining({ instancePath: `/dag/steps/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`, params: { additionalProperty: "comand" } }),
      );
      const copy = join(scratch, relative(REPO, file).replaceAll("/", "_"));
      await writeFile(copy, JSON.stringify(mutant));
      await expect(loadPipelineFile(copy, { cwd: REPO })).rejects.toMatchObject({ message: expect.stringContaining('unknown key "comand"') });
    }
    expect(tasks).toBeGreaterThan(30);
  });
});

describe("the config schema agrees with the config loader", () => {
  it("finds the examples (this repository's and runnable 0.50.0's)", () => {
    expect(CONFIGS.length).toBeGreaterThan(40);
    expect(CONFIGS.some(({ file }) => file.startsWith("tests/fixtures/runnable-050/"))).toBe(true);
  });

  it.each(CONFIGS.map(({ file }) => file))("%s: the same verdict", async (file) => {
    const document = CONFIGS.find((entry) => entry.file === file)!.document;
    const schemaSays = configSchema(document);
    expect(schemaSays, JSON.stringify(configSchema.errors?.slice(0, 3))).toBe(await loaderAcceptsConfig(file, scratch));
  });

  it("flags a misspelt service key and a misspelt key of a plug-in's config, as the loader does", async () => {
    const cases = [
      { text: "run_log_stor:\n  type: chunked-fs\n", flagged: { additionalProperty: "run_log_stor" } },
      { text: "run_log_store:\n  type: chunked-fs\n  config:\n    log_foldr: logs\n", flagged: { additionalProperty: "log_foldr" } },
      { text: "executor:\n  type: local\n  config:\n    max_paralel: 2\n", flagged: { additionalProperty: "max_paralel" } },
      { text: "task_runners:\n  python:\n    interpretr: python3\n", flagged: { additionalProperty: "interpretr" } },
    ];
    for (const { text, flagged } of cases) {
      expect(configSchema(load(text)), text).toBe(false);
      expect(configSchema.errors).toContainEqual(expect.objectContaining({ params: flagged }));
      await writeFile(join(scratch, "misspelt.yaml"), text);
      await expect(loadServicesConfig({ file: "misspelt.yaml", env: {}, cwd: scratch, known })).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    }
  });

  it("lists every top-level key the loader reads (a key added to the loader must be added to the schema)", async () => {
    await writeFile(join(scratch, "unknown-key.yaml"), "no_such_service: {}\n");
    const error = await loadServicesConfig({ file: "unknown-key.yaml", env: {}, cwd: scratch, known }).catch((e: unknown) => e as Error);
    const listed = /known keys: ([^.]+)\./.exec((error as Error).message)?.[1];
    expect(listed).toBeDefined();
    const keys = listed!.match(/[a-z][a-z_-]*/g)!.filter((word) => word !== "or");
    const schema = JSON.parse(await readFile(join(REPO, "schemas/config.schema.json"), "utf8")) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(keys));
  });
});
