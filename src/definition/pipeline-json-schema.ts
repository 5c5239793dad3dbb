import { z } from "zod";
import type { NODE_KINDS } from "../core/graph.js";
import { jsonSchemaDocument } from "../core/json-schema.js";
import {
  FIELD_RULES,
  conditionalSchema,
  dagSchema,
  graphSchema,
  loopSchema,
  mapSchema,
  parallelSchema,
  stubSchema,
  taskSchema,
  terminalSchema,
} from "./node-schemas.js";

// The pipeline file as JSON Schema, for editors (`runnable schema pipeline`, schemas/pipeline.schema.json).
// It is assembled from the step schemas the loader validates with (node-schemas.ts), so a key added there
// (0.50's `returns`, `store_copy`) appears here by itself. What those schemas leave to the graph builder
// — nested graphs under `steps`, `branches`, `branch`, `dag` — is filled in with the graph itself, and
// each key carries the words of FIELD_RULES as its description (editors show them on hover). What JSON
// Schema cannot say (references between steps, cycles, files) stays with `runnable validate`.

type Kind = (typeof NODE_KINDS)[number];

/** The schema each step kind is validated with. */
const STEP_SCHEMAS: Readonly<Record<Kind, z.ZodObject>> = {
  task: taskSchema,
  stub: stubSchema,
  success: terminalSchema,
  fail: terminalSchema,
  parallel: parallelSchema,
  map: mapSchema,
  dag: dagSchema,
  conditional: conditionalSchema,
  loop: loopSchema,
};

/** The meaning of each step kind, shown by editors. */
const KIND_DESCRIPTIONS: Readonly<Record<Kind, string>> = {
  task: "runs a command: a Python function (the default), a shell command, a notebook, or a TypeScript/JavaScript function (command_type)",
  stub: "does nothing and succeeds (a placeholder); extra keys are kept",
  success: "the end of a successful path",
  fail: "the end of a failed path",
  parallel: "runs its branches (each a graph) at once and joins them",
  map: "runs its branch once per item of the list parameter iterate_on, the item named iterate_as",
  dag: "a nested graph: from the YAML file dag_definition, or inline",
  conditional: "runs the one branch keyed by the value of the parameter named by parameter (Python's str() of it), or default (runnable 0.50)",
  loop: "runs its branch again and again, each iteration on the parameters the last one left, until the boolean parameter break_on is true or max_iterations have run (runnable 0.50)",
};

const described = <T extends z.ZodType>(key: string, schema: T): z.ZodType => {
  const rule = FIELD_RULES[key];
  return rule ? schema.meta({ description: rule }) : schema;
};

/** The pipeline document: `dag` (a graph) and, beside it, blocks the dag reuses through YAML anchors. */
export function pipelineDocumentSchema(): z.ZodType {
  const graphs: { graph?: z.ZodType } = {};
  const graph = z.lazy(() => graphs.graph!);
  const nested: Readonly<Record<string, z.ZodType>> = {
    steps: z
      .record(
        z.string(),
        z.lazy(() => step),
      )
      .optional(),
    branches: z.record(z.string(), graph),
    branch: graph.optional(),
    dag: graph.optional(),
  };
  const shapeOf = (object: z.ZodObject): Record<string, z.ZodType> =>
    Object.fromEntries(Object.entries(object.shape).map(([key, value]) => [key, described(key, nested[key] ?? (value as z.ZodType))]));
  const stepOf = (kind: Kind): z.ZodObject => {
    const base = STEP_SCHEMAS[kind];
    const shape = { ...shapeOf(base), type: z.literal(kind).meta({ description: KIND_DESCRIPTIONS[kind] }) };
    const strict = base.def.catchall === undefined || base.def.catchall instanceof z.ZodNever;
    return (strict ? z.strictObject(shape) : z.looseObject(shape)).meta({ title: `${kind} step` });
  };
  const kinds = Object.keys(STEP_SCHEMAS) as Kind[];
  const step = z.discriminatedUnion("type", kinds.map(stepOf) as [z.ZodObject, ...z.ZodObject[]]).meta({ id: "step" });
  graphs.graph = z.strictObject(shapeOf(graphSchema)).meta({ id: "graph", description: "a graph: start_at and its steps" });
  return z
    .looseObject({ dag: graph.meta({ description: "the pipeline's graph (start_at, steps, description, name)" }) })
    .meta({ title: "runnable pipeline", description: "A pipeline file of runnable (February 2024 and 0.50) and runnable-ts: its graph under dag." });
}

/** `schemas/pipeline.schema.json`: the pipeline file as JSON Schema (draft 2020-12), for editors. */
export function pipelineJsonSchema(): Record<string, unknown> {
  return jsonSchemaDocument(pipelineDocumentSchema(), "pipeline.schema.json");
}
