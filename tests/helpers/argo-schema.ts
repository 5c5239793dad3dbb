import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { REPO } from "./cli.js";

type Schema = Record<string, unknown> & { definitions: Record<string, Record<string, unknown>>; $id: string };

/** A validation error as ajv reports it (path inside the manifest and message). */
export interface ManifestError {
  instancePath: string;
  message?: string;
  params?: unknown;
}

/**
 * Loads the Argo Workflows schema shipped in contracts/argo-workflows/ and patches it in memory as its
 * README says: `additionalProperties: false` on every definition with `properties` and none set, so
 * unknown keys are rejected. `intOrString` widens IntOrString/Quantity to accept numbers too (Argo
 * does); without it, those values must be strings.
 */
export function loadArgoSchema(options: { intOrString?: boolean } = {}): Schema {
  const schema = JSON.parse(readFileSync(join(REPO, "contracts/argo-workflows/schema.json"), "utf8")) as Schema;
  for (const definition of Object.values(schema.definitions)) {
    if (definition.properties && definition.additionalProperties === undefined) definition.additionalProperties = false;
  }
  if (options.intOrString) {
    schema.definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]!.type = ["string", "integer"];
    schema.definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"]!.type = ["string", "number"];
  }
  return schema;
}

/** A validator of Workflow manifests: returns the errors (empty when the manifest is valid). */
export function workflowValidator(options: { intOrString?: boolean } = {}): (manifest: unknown) => ManifestError[] {
  const schema = loadArgoSchema(options);
  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(schema);
  const validate = ajv.getSchema(`${schema.$id}#/definitions/io.argoproj.workflow.v1alpha1.Workflow`);
  if (!validate) throw new Error("the Argo schema has no Workflow definition");
  return (manifest) => (validate(manifest) ? [] : ((validate.errors ?? []) as ManifestError[]));
}
