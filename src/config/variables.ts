/** Prefixes of environment variables that define config variables (ours wins over runnable's). */
export const VARIABLE_PREFIXES = ["RUNNABLE_VAR_", "runnable_VAR_"] as const;

/** A substitution problem at a path inside the substituted value. */
export interface VariableProblem {
  path: (string | number)[];
  message: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Variables defined by `RUNNABLE_VAR_<id>` / `runnable_VAR_<id>` env vars (raw strings, `<id>` keeps its case). */
export function collectVariables(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const found = new Map<string, string>();
  for (const prefix of [...VARIABLE_PREFIXES].reverse()) {
    for (const [name, value] of Object.entries(env)) {
      if (value !== undefined && name.startsWith(prefix) && name.length > prefix.length) {
        found.set(name.slice(prefix.length), value);
      }
    }
  }
  return Object.fromEntries([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const unknownVariable = (id: string, written: string): string =>
  `unknown variable "${id}"; set it with: export RUNNABLE_VAR_${id}=... (until then "${written}" is kept as written; $$ is a literal $)`;

/**
 * Replaces `${id}` and `$id` in one string as runnable 0.50 does (Python's `Template.safe_substitute`):
 * `$$` is a literal `$`; an unknown variable, a malformed `${...}` and a `$` followed by anything else
 * stay as they are. Returns the text and what was kept (one message per placeholder, for warnings).
 */
export function substituteString(text: string, variables: Readonly<Record<string, string>>): { text: string; problems: string[] } {
  const problems: string[] = [];
  let out = "";
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf("$", i);
    if (at < 0) break;
    out += text.slice(i, at);
    const placeholder = placeholderAt(text, at);
    if (placeholder.kind === "escape") out += "$";
    else if (placeholder.kind === "variable" && Object.hasOwn(variables, placeholder.id)) out += variables[placeholder.id]!;
    else {
      out += placeholder.written;
      if (placeholder.kind === "variable") problems.push(unknownVariable(placeholder.id, placeholder.written));
      if (placeholder.kind === "malformed") {
        problems.push(`malformed placeholder "${placeholder.shown}" kept as written: write \${name} (letters, digits, _) or $$ for a literal $`);
      }
    }
    i = at + placeholder.written.length;
  }
  return { text: out + text.slice(i), problems };
}

type Placeholder =
  | { kind: "escape"; written: string }
  | { kind: "variable"; id: string; written: string }
  | { kind: "malformed"; written: string; shown: string }
  | { kind: "literal"; written: string };

/** What the `$` at `at` starts: `$$`, `$id`, `${id}`, a malformed `${...}` (its `$` kept), or a lone `$`. */
function placeholderAt(text: string, at: number): Placeholder {
  const next = text[at + 1];
  if (next === "$") return { kind: "escape", written: "$$" };
  if (next === "{") {
    const close = text.indexOf("}", at + 2);
    const id = close < 0 ? "" : text.slice(at + 2, close);
    if (close >= 0 && IDENTIFIER.exec(id)?.[0] === id) return { kind: "variable", id, written: text.slice(at, close + 1) };
    // Python's Template keeps an invalid placeholder's `$` and goes on right after it.
    const shown = close < 0 ? (/^\$\{[^\s$]*/.exec(text.slice(at))?.[0] ?? "${") : text.slice(at, close + 1);
    return { kind: "malformed", written: "$", shown };
  }
  const id = IDENTIFIER.exec(text.slice(at + 1))?.[0];
  return id === undefined ? { kind: "literal", written: "$" } : { kind: "variable", id, written: `$${id}` };
}

/** Substitutes variables in every string value (not keys) of a JSON-like value. */
export function substituteVariables(
  value: unknown,
  variables: Readonly<Record<string, string>>,
  path: (string | number)[] = [],
): { value: unknown; problems: VariableProblem[] } {
  if (typeof value === "string") {
    const result = substituteString(value, variables);
    return { value: result.text, problems: result.problems.map((message) => ({ path, message })) };
  }
  const problems: VariableProblem[] = [];
  const visit = (item: unknown, key: string | number): unknown => {
    const result = substituteVariables(item, variables, [...path, key]);
    problems.push(...result.problems);
    return result.value;
  };
  if (Array.isArray(value)) return { value: value.map((item, index) => visit(item, index)), problems };
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([key, item]) => [key, visit(item, key)] as const);
    return { value: Object.fromEntries(entries), problems };
  }
  return { value, problems };
}
