import type { z } from "zod";
import type { Problem } from "../core/errors.js";
import { isMapping } from "../core/values.js";
import { type DocPath, type DocSource, problemAt } from "./positions.js";

// The one way zod issues become problems: each issue's path is taken into the document, an unknown key
// gets the keys its mapping allows (read from the schema), a key that is absent is told apart from a
// value of the wrong kind (which comes with the value found), and each problem is placed at file:line:col
// when the document has positions. Callers only word the messages.

/** A zod issue. */
export type ZodIssue = z.core.$ZodIssue;

/** What the mapper reads of an issue: zod's, or those of anything with the same `safeParse` (no `code`: never an unknown key). */
export interface IssueLike {
  code?: string;
  path: readonly PropertyKey[];
  message: string;
  keys?: readonly string[];
}

interface FindingBase<I extends IssueLike> {
  issue: I;
  /** The issue's path inside the validated value (for an unknown key: the mapping that has it). */
  field: DocPath;
  /** The same path inside the document. */
  path: DocPath;
}

/** A key the schema does not allow. */
export interface UnknownKeyFinding<I extends IssueLike = ZodIssue> extends FindingBase<I> {
  kind: "unknown-key";
  key: string;
  /** The keys the mapping's schema allows, in its order (empty when it allows none or cannot tell). */
  allowed: readonly string[];
}

/** A required key that is absent. */
export interface MissingFinding<I extends IssueLike = ZodIssue> extends FindingBase<I> {
  kind: "missing";
}

/** A value the schema refuses. */
export interface InvalidFinding<I extends IssueLike = ZodIssue> extends FindingBase<I> {
  kind: "invalid";
  value: unknown;
}

/** What one zod issue says about a document (an issue about several unknown keys gives one finding per key). */
export type IssueFinding<I extends IssueLike = ZodIssue> = UnknownKeyFinding<I> | MissingFinding<I> | InvalidFinding<I>;

/** How a caller words the problems of its findings. */
export interface IssueWording {
  unknownKey(finding: UnknownKeyFinding): string;
  /** An absent key, placed at the mapping that lacks it; without this, absent keys are worded by `invalid` at their own path. */
  missing?(finding: MissingFinding): string;
  invalid(finding: InvalidFinding | MissingFinding): string;
  /** Where a refused value is placed: at its key, or at the value itself (default). */
  invalidAt?: "key" | "value";
}

/** Where the validated value is: its document and its path there. */
export interface IssueTarget {
  source: DocSource;
  at: DocPath;
  input: unknown;
  /** The schema that made the issues: it tells which keys an unknown key's mapping allows. */
  schema?: unknown;
}

interface SchemaDef {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  out?: unknown;
  getter?: () => unknown;
  valueType?: unknown;
  element?: unknown;
  items?: unknown[];
}

const defOf = (schema: unknown): SchemaDef | undefined => (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;

/** The object keys `schema` allows at `path` (through optional, default, pipe, lazy, record, array and tuple schemas). */
export function keysAt(schema: unknown, path: DocPath): string[] {
  let current = schema;
  let next = 0;
  for (let depth = 0; depth < 256; depth++) {
    const def = defOf(current);
    if (!def) return [];
    const segment = path[next];
    if (def.type === "object" && def.shape) {
      if (next === path.length) return Object.keys(def.shape);
      current = def.shape[String(segment)];
      next++;
    } else if (next < path.length && (def.type === "record" || def.type === "array" || def.type === "tuple")) {
      current = def.type === "record" ? def.valueType : def.type === "array" ? def.element : def.items?.[Number(segment)];
      next++;
    } else {
      // A preprocessed schema (a pipe from a transform) allows the keys of what it pipes into.
      current = def.innerType ?? (defOf(def.in)?.type === "transform" ? def.out : def.in) ?? def.getter?.();
    }
  }
  return [];
}

/** The value at `path` inside `input` (own keys only), or undefined when something on the way is absent. */
function valueAt(input: unknown, path: DocPath): unknown {
  let current = input;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === "number") current = current[segment];
    else if (isMapping(current) && Object.hasOwn(current, String(segment))) current = current[String(segment)];
    else return undefined;
  }
  return current;
}

/** What `issues` (of `input`, found at `at` in its document, validated by `schema`) say, in issue order. */
export function issueFindings<I extends IssueLike>(issues: readonly I[], input: unknown, schema?: unknown, at: DocPath = []): IssueFinding<I>[] {
  return issues.flatMap((issue): IssueFinding<I>[] => {
    const field = issue.path.map((segment) => (typeof segment === "number" ? segment : String(segment)));
    const path = [...at, ...field];
    if (issue.code === "unrecognized_keys" && issue.keys) {
      const allowed = keysAt(schema, field);
      return issue.keys.map((key) => ({ kind: "unknown-key", issue, field, path, key, allowed }));
    }
    const value = valueAt(input, field);
    return [value === undefined ? { kind: "missing", issue, field, path } : { kind: "invalid", issue, field, path, value }];
  });
}

/** The issues of `target.input` as problems placed in its document, worded by `wording`. */
export function issueProblems(issues: readonly ZodIssue[], target: IssueTarget, wording: IssueWording): Problem[] {
  return issueFindings(issues, target.input, target.schema, target.at).map((finding) => {
    if (finding.kind === "unknown-key") return problemAt(target.source, [...finding.path, finding.key], wording.unknownKey(finding), "key");
    if (finding.kind === "missing" && wording.missing) return problemAt(target.source, finding.path.slice(0, -1), wording.missing(finding), "key");
    return problemAt(target.source, finding.path, wording.invalid(finding), wording.invalidAt ?? "value");
  });
}

/** A short description of a value for messages: `"x"`, `3`, `a list`, `a mapping`, ... */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}
