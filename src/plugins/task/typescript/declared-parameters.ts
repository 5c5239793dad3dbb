import type { ParameterSchema } from "../../../core/graph.js";
import { suggestion } from "../../../core/suggest.js";
import { issueFindings } from "../../../source/zod-issues.js";

// A TypeScript task says what it reads, and a missing or misspelt parameter fails the step before the
// function runs, naming the parameter and those available (as Python tasks do from their signature):
// from a schema (`parameters: z.object({...})`, or a `parameters` property on the function), or from
// the function's own signature when it destructures its argument (`function train({ lr, epochs })`).

/** The names a function destructures from its first argument: required ones (no default) and all. */
export interface Destructured {
  required: string[];
  all: string[];
}

/** Splits `text` at commas outside brackets, braces, parentheses and strings. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote) {
      if (char === "\\") i++;
      else if (char === quote) quote = "";
    } else if (char === '"' || char === "'" || char === "`") quote = char;
    else if ("([{".includes(char)) depth++;
    else if (")]}".includes(char)) depth--;
    else if (char === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== "");
}

/** The text between the brace at `open` and its match (undefined when unbalanced). */
function braced(source: string, open: number): string | undefined {
  const inner = source.slice(open + 1);
  let depth = 1;
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === "{") depth++;
    else if (inner[i] === "}" && --depth === 0) return inner.slice(0, i);
  }
  return undefined;
}

/** The names `fn` destructures from its first argument, or undefined when it does not (or it cannot be told). */
export function destructuredNames(fn: (...args: never[]) => unknown): Destructured | undefined {
  const source = Function.prototype.toString.call(fn);
  const head = /^(?:async\s*)?(?:function\s*\*?\s*[\w$]*\s*|[\w$]+\s*)?\(\s*\{/.exec(source);
  if (!head) return undefined;
  const body = braced(source, head[0].length - 1);
  if (body === undefined) return undefined;
  const required: string[] = [];
  const all: string[] = [];
  for (const part of topLevelParts(body)) {
    if (part.startsWith("...")) continue;
    const name = /^([A-Za-z_$][\w$]*)/.exec(part)?.[1];
    if (!name) return undefined; // quoted or computed keys: not told apart reliably
    all.push(name);
    const [, rest = ""] = /^[A-Za-z_$][\w$]*\s*(?::\s*(?:[\w$]+|\{[\s\S]*\}|\[[\s\S]*\]))?\s*(.*)$/s.exec(part) ?? [];
    if (!rest.startsWith("=")) required.push(name);
  }
  return { required, all };
}

function available(parameters: object): string {
  const names = Object.keys(parameters);
  return names.length ? `available parameters: ${names.join(", ")}` : "no parameters are set";
}

/**
 * Why the task cannot start with `parameters` (a missing, misspelt or mistyped one), or undefined;
 * `schema` wins over what the function's signature destructures.
 */
export function parameterProblem(fn: (...args: never[]) => unknown, schema: ParameterSchema | undefined, parameters: object): string | undefined {
  if (schema) {
    const parsed = schema.safeParse(parameters);
    if (parsed.success) return undefined;
    const issues = issueFindings(parsed.error.issues, parameters, schema).map((finding) => {
      const name = finding.field.join(".");
      if (finding.kind === "unknown-key") return `parameter "${[...finding.field, finding.key].join(".")}" is not in the task's parameters schema`;
      if (finding.kind === "missing" && finding.field.length === 1) return `parameter "${name}" is not set${nearText(name, Object.keys(parameters))}`;
      return `parameter "${name}": ${finding.issue.message}`;
    });
    return `${issues.join("; ")} (${available(parameters)})`;
  }
  const declared = destructuredNames(fn);
  const missing = declared?.required.filter((name) => !(name in parameters)) ?? [];
  if (missing.length === 0) return undefined;
  const named = missing.map((name) => `"${name}"${nearText(name, Object.keys(parameters))}`).join(", ");
  return `the task reads parameter${missing.length > 1 ? "s" : ""} ${named}, which ${missing.length > 1 ? "are" : "is"} not set (${available(parameters)}); give ${missing.length > 1 ? "them" : "it"} a default in the signature if ${missing.length > 1 ? "they are" : "it is"} optional`;
}

function nearText(name: string, names: readonly string[]): string {
  const text = suggestion(name, names, "available");
  return text.startsWith(" (did you mean") ? text : "";
}
