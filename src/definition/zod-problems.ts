import type { z } from "zod";
import { describeValue, report } from "./context.js";
import type { BuildContext } from "./context.js";
import { FIELD_RULES } from "./node-schemas.js";
import { nearest } from "../core/suggest.js";
import type { DocPath } from "./types.js";
import { isMapping } from "../core/values.js";

type Issue = z.ZodError["issues"][number];

/** How to describe a key and its allowed neighbours in messages about one mapping. */
export interface IssueSubject {
  /** Start of every message, e.g. `step "hello" (task)`. */
  label: string;
  /** Keys allowed at the top of the mapping. */
  allowedKeys: readonly string[];
}

const NESTED_KEYS: Readonly<Record<string, readonly string[]>> = { catalog: ["get", "put"] };

/** Turns zod issues for `input` (found at `path`) into located problems. */
export function reportIssues(ctx: BuildContext, issues: readonly Issue[], input: unknown, path: DocPath, subject: IssueSubject): void {
  for (const issue of issues) {
    const issuePath = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
    if (issue.code === "unrecognized_keys") {
      const last = issuePath[issuePath.length - 1];
      const allowed = issuePath.length === 0 ? subject.allowedKeys : (NESTED_KEYS[String(last)] ?? []);
      for (const key of issue.keys) reportUnknownKey(ctx, [...path, ...issuePath, key], key, subject.label, allowed);
      continue;
    }
    const value = valueAt(input, issuePath);
    const field = issuePath.join(".");
    const rule = ruleFor(issuePath, issue);
    if (value === undefined) {
      report(ctx, [...path, ...issuePath.slice(0, -1)], `${subject.label}: missing required key "${field}" (${rule})`, "key");
    } else {
      report(ctx, [...path, ...issuePath], `${subject.label}: "${field}" must be ${rule}, got ${describeValue(value)}`);
    }
  }
}

/** Reports an unknown key, suggesting the nearest allowed one and listing them all. */
export function reportUnknownKey(ctx: BuildContext, keyPath: DocPath, key: string, label: string, allowed: readonly string[]): void {
  const closest = nearest(key, allowed);
  const near = closest === undefined ? "" : ` (did you mean "${closest}"?)`;
  const list = allowed.length ? `; allowed keys: ${allowed.join(", ")}` : "";
  report(ctx, keyPath, `${label}: unknown key "${key}"${near}${list}`, "key");
}

function valueAt(input: unknown, path: ReadonlyArray<string | number>): unknown {
  let current = input;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === "number") current = current[segment];
    else if (isMapping(current)) current = current[String(segment)];
    else return undefined;
  }
  return current;
}

function ruleFor(path: ReadonlyArray<string | number>, issue: Issue): string {
  const last = path[path.length - 1];
  const known = typeof last === "string" ? FIELD_RULES[last] : undefined;
  if (known !== undefined && (path.length === 1 || last === "get" || last === "put")) return known;
  return genericRule(issue);
}

function genericRule(issue: Issue): string {
  if (issue.code === "invalid_type") {
    const names: Record<string, string> = {
      string: "a string",
      number: "a number",
      int: "an integer",
      array: "a list",
      record: "a mapping",
      object: "a mapping",
      boolean: "true or false",
    };
    return names[issue.expected] ?? issue.expected;
  }
  if (issue.code === "too_small") return issue.origin === "string" ? "a non-empty string" : `at least ${String(issue.minimum)}`;
  if (issue.code === "custom") return "a non-blank string";
  return issue.message;
}
