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

const unknownVariable = (id: string): string => `unknown variable "${id}"; set it with: export RUNNABLE_VAR_${id}=... (or write $$ for a literal $)`;

/**
 * Replaces `${id}` and `$id` in one string; `$$` is a literal `$`, and a `$` followed by anything else
 * stays as it is. Returns the text and the problems (unknown variables, malformed `${...}`).
 */
export function substituteString(text: string, variables: Readonly<Record<string, string>>): { text: string; problems: string[] } {
  const problems: string[] = [];
  const lookup = (id: string): string => {
    if (Object.hasOwn(variables, id)) return variables[id]!;
    problems.push(unknownVariable(id));
    return "";
  };
  let out = "";
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf("$", i);
    if (at < 0) break;
    out += text.slice(i, at);
    const next = text[at + 1];
    if (next === "$") {
      out += "$";
      i = at + 2;
    } else if (next === "{") {
      const close = text.indexOf("}", at + 2);
      const id = close < 0 ? "" : text.slice(at + 2, close);
      if (close < 0 || IDENTIFIER.exec(id)?.[0] !== id) {
        problems.push(
          `malformed placeholder "${text.slice(at, close < 0 ? undefined : close + 1)}": write \${name} (letters, digits, _) or $$ for a literal $`,
        );
        return { text, problems };
      }
      out += lookup(id);
      i = close + 1;
    } else {
      const id = IDENTIFIER.exec(text.slice(at + 1))?.[0];
      out += id === undefined ? "$" : lookup(id);
      i = at + 1 + (id?.length ?? 0);
    }
  }
  return { text: out + text.slice(i), problems };
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
