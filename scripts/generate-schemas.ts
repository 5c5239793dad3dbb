// `npm run schemas`: writes the JSON Schema files generated from the zod schemas (the zod schema is the
// one source): the run log contract, and the pipeline and config schemas editors use (`runnable schema`).
// tests/contract-copy.test.ts fails while a committed file differs from what this writes.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { jsonSchemaText } from "../src/core/json-schema.js";
import { runLogJsonSchema } from "../src/core/run-log-schema.js";
import { pipelineJsonSchema } from "../src/definition/pipeline-json-schema.js";
import { configJsonSchema } from "../src/runtime/json-schemas.js";

/** The command that rewrites the generated files. */
export const REGENERATE = "npm run schemas";

/** Every generated JSON Schema file: its path from the repository root and the function that builds it (one per schema). */
export const GENERATED_SCHEMAS: ReadonlyArray<{ file: string; build: () => Record<string, unknown> }> = [
  { file: "contracts/run-log.schema.json", build: runLogJsonSchema },
  { file: "schemas/pipeline.schema.json", build: pipelineJsonSchema },
  { file: "schemas/config.schema.json", build: () => configJsonSchema() },
];

/** The text each generated file must have. */
export function generatedSchemaFiles(): Array<{ file: string; text: string }> {
  return GENERATED_SCHEMAS.map(({ file, build }) => ({ file, text: jsonSchemaText(build()) }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(import.meta.dirname, "..");
  for (const { file, text } of generatedSchemaFiles()) {
    mkdirSync(dirname(resolve(root, file)), { recursive: true });
    writeFileSync(resolve(root, file), text);
    console.log(`wrote ${file}`);
  }
}
