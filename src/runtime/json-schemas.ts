import { configDocumentSchema } from "../config/config-json-schema.js";
import type { ServiceKey } from "../config/load-config.js";
import { jsonSchemaDocument } from "../core/json-schema.js";
import { pipelineJsonSchema } from "../definition/pipeline-json-schema.js";
import { builtinRegistry } from "./builtins.js";
import { knownServiceSchemas } from "./compose-services.js";
import type { Registry } from "./registry.js";

// The JSON Schemas editors use (`runnable schema`, schemas/*.schema.json), each generated from the zod
// schemas the loaders validate with.

/** `schemas/config.schema.json`: the services configuration with every registered plug-in's config, by type. */
export function configJsonSchema(registry: Registry = builtinRegistry()): Record<string, unknown> {
  const describe = (service: string, type: string) => registry.find(service as ServiceKey, type)?.description;
  return jsonSchemaDocument(configDocumentSchema(knownServiceSchemas(registry), describe), "config.schema.json");
}

/** The JSON Schemas `runnable schema NAME` prints, by name. */
export const EDITOR_SCHEMAS: Readonly<Record<string, () => Record<string, unknown>>> = {
  pipeline: pipelineJsonSchema,
  config: () => configJsonSchema(),
};
