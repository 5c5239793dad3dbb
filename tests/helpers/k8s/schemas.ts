import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import Ajv2020, { type ErrorObject } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
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

type Definitions = { $defs: Record<string, { properties?: Record<string, object> }> };
type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

const require = createRequire(import.meta.url);
const AJV_OPTIONS = { strict: false, allErrors: true, validateFormats: false, verbose: true } as const;
const AJV_VERSION = (require("ajv/package.json") as { version: string }).version;

/**
 * Validators of one Kubernetes version, by kind (`job`, `cronjob`, ...). Compiling the Job schema
 * (the whole pod spec) takes seconds, so each validator is also kept as ajv standalone code under
 * .cache/k8s-schemas/ (keyed by the schema files' checksum) and loaded from there in milliseconds.
 */
export class KubernetesSchemas {
  private ajv: InstanceType<typeof Ajv2020.default> | undefined;
  private readonly validators = new Map<string, Validator>();
  private ownerOfProperty: Map<string, string> | undefined;
  private readonly folder: string;

  constructor(k8sVersion: string) {
    this.folder = schemaFolder(k8sVersion);
  }

  private definitions(): Definitions {
    return JSON.parse(readFileSync(join(this.folder, "_definitions.json"), "utf8")) as Definitions;
  }

  private validator(file: string): Validator {
    let validate = this.validators.get(file);
    if (validate) return validate;
    const text = readFileSync(join(this.folder, file), "utf8");
    const key = createHash("sha256")
      .update(`${AJV_VERSION}\0${JSON.stringify(AJV_OPTIONS)}\0${text}\0`)
      .update(readFileSync(join(this.folder, "_definitions.json")))
      .digest("hex")
      .slice(0, 16);
    const cached = join(REPO, ".cache/k8s-schemas", `${basename(this.folder)}-${file.replace(/\.json$/, "")}-${key}.cjs`);
    if (existsSync(cached)) validate = require(cached) as Validator;
    else {
      if (!this.ajv) {
        this.ajv = new Ajv2020.default({ ...AJV_OPTIONS, code: { source: true } });
        this.ajv.addSchema(this.definitions());
      }
      const compiled = this.ajv.compile(JSON.parse(text));
      mkdirSync(dirname(cached), { recursive: true });
      const temporary = `${cached}.${process.pid}.tmp`;
      writeFileSync(temporary, standaloneCode.default(this.ajv, compiled));
      renameSync(temporary, cached);
      validate = compiled;
    }
    this.validators.set(file, validate);
    return validate;
  }

  /** Schema errors of an object of `kind` in `apiVersion` (e.g. "Job", "batch/v1"). */
  check(kind: string, apiVersion: string, object: unknown): ErrorObject[] {
    const validate = this.validator(`${kind.toLowerCase()}-${apiVersion.replace(/^([^./]*)(?:\.[^/]*)?\//, "$1-")}.json`);
    return validate(object) ? [] : [...(validate.errors ?? [])];
  }

  // The Go struct a property belongs to, for decoding messages (a property schema's JSON is unique enough).
  private ownerOf(schema: object): string | undefined {
    if (!this.ownerOfProperty) {
      this.ownerOfProperty = new Map();
      for (const [name, definition] of Object.entries(this.definitions().$defs)) {
        for (const property of Object.values(definition.properties ?? {})) this.ownerOfProperty.set(JSON.stringify(property), name.split(".").at(-1)!);
      }
    }
    return this.ownerOfProperty.get(JSON.stringify(schema));
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
    const owner = schema ? this.ownerOf(schema) : undefined;
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
