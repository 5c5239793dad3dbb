import type { z } from "zod";
import { nearest } from "../core/suggest.js";
import { describeValue, issueProblems, type InvalidFinding, type MissingFinding, type ZodIssue } from "../source/zod-issues.js";
import type { BuildContext } from "./context.js";
import { FIELD_RULES } from "./node-schemas.js";
import type { DocPath } from "./types.js";

// How the pipeline definition words zod issues (the mapping into the document is src/source/zod-issues.ts):
// `<label>: unknown key "x" (did you mean "y"?); allowed keys: ...`, `<label>: missing required key "k"
// (<rule>)`, `<label>: "k" must be <rule>, got <value>`.

/** How to describe a mapping in messages about it, and the schema it was checked with. */
export interface IssueSubject {
  /** Start of every message, e.g. `step "hello" (task)`. */
  label: string;
  /** The schema whose issues are reported (it tells which keys are allowed where). */
  schema: z.ZodType;
}

/** Turns zod issues for `input` (found at `path`) into located problems. */
export function reportIssues(ctx: BuildContext, issues: readonly ZodIssue[], input: unknown, path: DocPath, subject: IssueSubject): void {
  const { label } = subject;
  const problems = issueProblems(
    issues,
    { source: ctx.source, at: path, input, schema: subject.schema },
    {
      unknownKey: ({ key, allowed }) => unknownKeyMessage(label, key, allowed),
      missing: (finding) => `${label}: missing required key "${finding.field.join(".")}" (${ruleFor(finding)})`,
      invalid: (finding) => `${label}: "${finding.field.join(".")}" must be ${ruleFor(finding)}, got ${describeValue((finding as InvalidFinding).value)}`,
    },
  );
  ctx.problems.push(...problems);
}

/** `<label>: unknown key "x" (did you mean "y"?); allowed keys: a, b`. */
function unknownKeyMessage(label: string, key: string, allowed: readonly string[]): string {
  const closest = nearest(key, allowed);
  const near = closest === undefined ? "" : ` (did you mean "${closest}"?)`;
  const list = allowed.length ? `; allowed keys: ${allowed.join(", ")}` : "";
  return `${label}: unknown key "${key}"${near}${list}`;
}

function ruleFor({ field, issue }: InvalidFinding | MissingFinding): string {
  const last = field[field.length - 1];
  const known = typeof last === "string" ? FIELD_RULES[last] : undefined;
  if (known !== undefined && (field.length === 1 || last === "get" || last === "put")) return known;
  return genericRule(issue);
}

function genericRule(issue: ZodIssue): string {
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
