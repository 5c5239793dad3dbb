import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { REPO } from "../cli.js";
import { badRequest, required, type StatusCause } from "./status.js";

// The Kubernetes OpenAPI schemas as PyPI's kubernetes-validate ships them (JSON Schema 2020-12, one
// folder per Kubernetes version, "-strict" folders with additionalProperties: false everywhere),
// loaded in Node so the stand-in rejects exactly what `kubernetes-validate --strict` rejects.

let schemaRoot: string | undefined;

/** The folder holding kubernetes-validate's `v1.NN.0-local[-strict]` schema folders (installs the venv once). */
export function kubernetesSchemaRoot(): string {
  schemaRoot ??=
    process.env["RUNNABLE_K8S_SCHEMAS"] ??
    execFileSync("bash", [join(REPO, "scripts/k8s-validate-venv.sh"), "schemas"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  if (!existsSync(schemaRoot)) throw new Error(`no Kubernetes schemas at ${schemaRoot} (scripts/k8s-validate-venv.sh installs them)`);
  return schemaRoot;
}

/** The schema folder kubernetes-validate uses for a version: the newest minor not newer than it. */
export function schemaFolder(k8sVersion: string, strict = true): string {
  const wanted = minor(k8sVersion);
  const versions = readdirSync(kubernetesSchemaRoot())
    .map((name) => /^v(\d+\.\d+)\.\d+-local$/.exec(name)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort((a, b) => minor(a) - minor(b));
  const chosen = versions.filter((v) => minor(v) <= wanted).at(-1);
  if (!chosen) throw new Error(`kubernetes-validate has no schemas for Kubernetes ${k8sVersion} (it has ${versions.join(", ")})`);
  return join(kubernetesSchemaRoot(), `v${chosen}.0-local${strict ? "-strict" : ""}`);
}

function minor(version: string): number {
  const [major, minorPart] = version.replace(/^v/, "").split(".");
  return Number(major) * 1000 + Number(minorPart);
}

/** Compiled validators of one Kubernetes version, by kind (`job`, `cronjob`, ...). */
export class KubernetesSchemas {
  private readonly ajv = new Ajv2020.default({ strict: false, allErrors: true, validateFormats: false, verbose: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ownerOfProperty = new Map<object, string>();
  private readonly folder: string;

  constructor(k8sVersion: string) {
    this.folder = schemaFolder(k8sVersion);
    const definitions = JSON.parse(readFileSync(join(this.folder, "_definitions.json"), "utf8")) as { $defs: Record<string, { properties?: object }> };
    for (const [name, definition] of Object.entries(definitions.$defs)) {
      for (const property of Object.values(definition.properties ?? {})) this.ownerOfProperty.set(property as object, name.split(".").at(-1)!);
    }
    this.ajv.addSchema(definitions);
  }

  /** Schema errors of an object of `kind` in `apiVersion` (e.g. "Job", "batch/v1"); compiled once per kind. */
  check(kind: string, apiVersion: string, object: unknown): ErrorObject[] {
    const file = `${kind.toLowerCase()}-${apiVersion.replace(/^([^./]*)(?:\.[^/]*)?\//, "$1-")}.json`;
    let validate = this.validators.get(file);
    if (!validate) {
      validate = this.ajv.compile(JSON.parse(readFileSync(join(this.folder, file), "utf8")));
      this.validators.set(file, validate);
    }
    return validate(object) ? [] : [...(validate.errors ?? [])];
  }

  /**
   * Turns schema errors into what the API server answers: a wrong JSON type fails decoding (400, the
   * first one, as Go's decoder stops there), unknown fields fail strict decoding (400, all listed),
   * and missing required fields are validation causes (422, returned for the caller to merge).
   */
  decode(kind: string, apiVersion: string, object: unknown): StatusCause[] {
    const errors = this.check(kind, apiVersion, object);
    const typeError = errors.find((error) => error.keyword === "type" || error.keyword === "oneOf");
    const version = apiVersion.split("/").at(-1);
    if (typeError) throw badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${this.unmarshalMessage(typeError)}`);
    const unknown = errors.filter((error) => error.keyword === "additionalProperties");
    if (unknown.length) {
      const fields = unknown.map(
        (error) => `unknown field "${fieldPath(error.instancePath, (error.params as { additionalProperty: string }).additionalProperty)}"`,
      );
      throw badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${[...new Set(fields)].join(", ")}`);
    }
    return errors
      .filter((error) => error.keyword === "required")
      .map((error) => required(fieldPath(error.instancePath, (error.params as { missingProperty: string }).missingProperty)));
  }

  private unmarshalMessage(error: ErrorObject): string {
    const found = error.data === null ? "null" : Array.isArray(error.data) ? "array" : typeof error.data;
    const schema = error.parentSchema as { type?: string[]; format?: string; $ref?: string } | undefined;
    const goType = schema?.format ?? goTypeOf(schema?.type?.[0]);
    const owner = schema ? this.ownerOfProperty.get(schema) : undefined;
    const path = fieldPath(error.instancePath);
    return owner
      ? `json: cannot unmarshal ${found} into Go struct field ${owner}.${path} of type ${goType}`
      : `json: cannot unmarshal ${found} into Go value of type ${goType}`;
  }
}

function goTypeOf(type: string | undefined): string {
  return (
    ({ integer: "int", number: "float64", boolean: "bool", string: "string", array: "[]interface {}", object: "struct" } as Record<string, string>)[
      type ?? ""
    ] ?? "struct"
  );
}

/** `/spec/template/spec/containers/0` + `foo` → `spec.template.spec.containers[0].foo` (the server's field paths). */
export function fieldPath(instancePath: string, child?: string): string {
  const parts = instancePath.split("/").slice(1);
  if (child !== undefined) parts.push(child);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part.replace(/~1/g, "/").replace(/~0/g, "~")}` : part), "");
}

const cache = new Map<string, KubernetesSchemas>();

/** The schemas of one Kubernetes version, shared within the process (compiling them takes a second or two). */
export function kubernetesSchemas(k8sVersion: string): KubernetesSchemas {
  const folder = schemaFolder(k8sVersion);
  let schemas = cache.get(folder);
  if (!schemas) cache.set(folder, (schemas = new KubernetesSchemas(k8sVersion)));
  return schemas;
}
