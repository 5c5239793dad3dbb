import type { z } from "zod";
import type { Problem } from "../core/errors.js";
import { didYouMean } from "../core/suggest.js";
import { substituteVariables } from "./variables.js";
import { problemAt } from "../source/positions.js";
import { issueProblems } from "../source/zod-issues.js";
import { mappingKeys, valueAt, type YamlPath, type YamlSource } from "./yaml-source.js";
import { isMapping } from "../core/values.js";

/** A service entry to check: where it is, which types exist, and the variables to substitute. */
export interface ServiceEntryInput {
  service: string;
  source: YamlSource;
  /** Path of the entry in its file, e.g. `["catalog"]` or `["defaults", "catalog"]`. */
  path: YamlPath;
  /** Config schema of each known type of this service. */
  schemas: Readonly<Record<string, z.ZodType>>;
  /** Variables to substitute into string values of the config, or null for none. */
  variables: Readonly<Record<string, string>> | null;
  /** When set, any type name is accepted and its config checked by this schema (types registered elsewhere). */
  anyType?: z.ZodType;
}

/** The outcome of checking a service entry: its choice when valid, every problem found, and what was kept with a warning. */
export interface ServiceEntryResult {
  choice?: { type: string; config: unknown };
  problems: Problem[];
  /** Placeholders kept as written (unknown variables, malformed `${...}`), as runnable 0.50 keeps them. */
  warnings?: Problem[];
}

const ENTRY_KEYS = ["type", "config"];
const dotted = (path: YamlPath): string => path.join(".");
function checkShape(input: ServiceEntryInput, raw: unknown): Problem[] {
  const { source, path, service } = input;
  if (!isMapping(raw)) {
    return [problemAt(source, path, `${dotted(path)} must be a mapping with "type" and an optional "config", e.g. {type: ...}`)];
  }
  const problems: Problem[] = [];
  for (const key of mappingKeys(source, path) ?? Object.keys(raw)) {
    if (ENTRY_KEYS.includes(key)) continue;
    const hint = didYouMean(key, ENTRY_KEYS);
    problems.push(problemAt(source, [...path, key], `unknown key "${key}" in ${dotted(path)}: a service has only "type" and "config".${hint}`));
  }
  const known = Object.keys(input.schemas).join(", ");
  if (raw.type === undefined) {
    problems.push(problemAt(source, path, `${dotted(path)} needs a "type"; known ${service} types: ${known}`));
  } else if (typeof raw.type !== "string") {
    problems.push(problemAt(source, [...path, "type"], `${dotted(path)}.type must be a string; known ${service} types: ${known}`, "value"));
  } else if (!input.anyType && !Object.hasOwn(input.schemas, raw.type)) {
    const hint = didYouMean(raw.type, Object.keys(input.schemas));
    const message = `unknown ${service} type "${raw.type}"; known types: ${known}.${hint}`;
    problems.push(problemAt(source, [...path, "type"], message, "value"));
  }
  return problems;
}

function configIssueProblems(input: ServiceEntryInput, type: string, schema: z.ZodType, config: unknown, issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issueProblems(
    issues,
    { source: input.source, at: [...input.path, "config"], input: config, schema },
    {
      unknownKey: ({ key, path, allowed }) => {
        const allowedText = allowed.length > 0 ? `allowed keys: ${allowed.join(", ")}` : "no keys are allowed";
        return `unknown key "${key}" in ${dotted(path)} of ${input.service} type ${type} (${allowedText}).${didYouMean(key, allowed)}`;
      },
      invalid: ({ path, issue }) => `${dotted(path)}: ${issue.message}`,
      invalidAt: "key",
    },
  );
}

/** Checks one `{type, config}` entry: shape, known type, variables (when given) and the type's config schema. */
export function readServiceEntry(input: ServiceEntryInput): ServiceEntryResult {
  const raw = valueAt(input.source, input.path);
  const problems = checkShape(input, raw);
  // Unknown keys beside a good type do not stop the config check: every problem is reported at once.
  if (!isMapping(raw) || typeof raw.type !== "string") return { problems };
  const schema = input.anyType ?? (Object.hasOwn(input.schemas, raw.type) ? input.schemas[raw.type] : undefined);
  if (!schema) return { problems };
  const type = raw.type;
  const { config, warnings } = substituted(input, raw.config ?? {});
  const parsed = schema.safeParse(config);
  if (!parsed.success) problems.push(...configIssueProblems(input, type, schema, config, parsed.error.issues));
  const kept = warnings.length > 0 ? { warnings } : {};
  return problems.length > 0 ? { problems, ...kept } : { choice: { type, config: parsed.data }, problems, ...kept };
}

/**
 * The config with `${name}`/`$name` replaced by the variables (runnable 0.50's safe substitution): an
 * unknown variable or a malformed placeholder is kept as written, with a warning at its place.
 */
function substituted(input: ServiceEntryInput, config: unknown): { config: unknown; warnings: Problem[] } {
  if (!input.variables) return { config, warnings: [] };
  const result = substituteVariables(config, input.variables);
  const warnings = result.problems.map((problem) => {
    const at = [...input.path, "config", ...problem.path];
    return problemAt(input.source, at, `${dotted(at)}: ${problem.message}`, "value");
  });
  return { config: result.value, warnings };
}
