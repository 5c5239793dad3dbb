import { execFile } from "node:child_process";
import { join } from "node:path";
import { stringify } from "yaml";
import { REPO } from "../cli.js";
import { fieldPath, kubernetesSchemas } from "./schemas.js";

// Strict validation of Kubernetes manifests in tests: PyPI's `kubernetes-validate --strict` (schemas
// of many Kubernetes versions, unknown fields rejected) in the cached venv of
// scripts/k8s-validate-venv.sh. It reports one error per resource; `schemaErrors` lists them all
// from the same schema files.

/** One line of kubernetes-validate's verdict. */
export interface ManifestResult {
  level: "INFO" | "WARN" | "ERROR" | "FATAL";
  /** `job/name` when the line is about a resource. */
  resource?: string;
  message: string;
}

/** The verdict on a set of manifests. */
export interface ValidationReport {
  /** Every resource validated (and, unless allowed, every kind had a schema). */
  ok: boolean;
  results: ManifestResult[];
  /** kubernetes-validate's output, for assertion messages. */
  output: string;
}

let venv: Promise<string> | undefined;

function validateVenv(): Promise<string> {
  venv ??= new Promise((done, fail) =>
    execFile("bash", [join(REPO, "scripts/k8s-validate-venv.sh")], (error, stdout, stderr) =>
      error ? fail(new Error(`scripts/k8s-validate-venv.sh failed: ${stderr}`)) : done(stdout.trim()),
    ),
  );
  return venv;
}

/**
 * Validates manifests (YAML text, several documents allowed, or objects) with
 * `kubernetes-validate --strict -k <version>`. Kinds without a schema (e.g. Argo's Workflow) make
 * the report not ok unless `allowUnknownKinds`: a typo in `kind` must not pass silently.
 */
export async function validateManifests(
  manifests: string | object[],
  options: { k8sVersion?: string; strict?: boolean; allowUnknownKinds?: boolean } = {},
): Promise<ValidationReport> {
  const text = typeof manifests === "string" ? manifests : manifests.map((manifest) => stringify(manifest)).join("---\n");
  const bin = join(await validateVenv(), "bin/kubernetes-validate");
  const args = [...(options.strict === false ? [] : ["--strict"]), "-k", options.k8sVersion ?? "1.30.0", "-"];
  const { code, output } = await new Promise<{ code: number; output: string }>((done) => {
    const child = execFile(bin, args, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, output: stdout + stderr }),
    );
    child.stdin!.end(text);
  });
  const results = output
    .split("\n")
    .filter(Boolean)
    .map((line): ManifestResult => {
      const match = /^(INFO|WARN|ERROR|FATAL) (?:- )?(.*)$/.exec(line);
      const resource = /resource (\S+) against/.exec(line)?.[1];
      return { level: (match?.[1] ?? "ERROR") as ManifestResult["level"], ...(resource ? { resource } : {}), message: match?.[2] ?? line };
    });
  const unknownKind = results.some((result) => result.level === "WARN" && /Couldn't find schema/.test(result.message));
  return { ok: code === 0 && (options.allowUnknownKinds === true || !unknownKind), results, output };
}

/** Every strict-schema error of one object (`spec.foo: unknown field`, ...), from the same schema files, synchronously. */
export function schemaErrors(object: { kind: string; apiVersion: string }, k8sVersion = "1.30.0"): string[] {
  return kubernetesSchemas(k8sVersion)
    .check(object.kind, object.apiVersion, object)
    .map((error) => {
      const params = error.params as { additionalProperty?: string; missingProperty?: string };
      if (error.keyword === "additionalProperties") return `${fieldPath(error.instancePath, params.additionalProperty)}: unknown field`;
      if (error.keyword === "required") return `${fieldPath(error.instancePath, params.missingProperty)}: required`;
      return `${fieldPath(error.instancePath) || "(root)"}: ${error.message}`;
    });
}
