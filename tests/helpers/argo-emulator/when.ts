/**
 * A task's `when` condition, as Argo evaluates it (workflow/controller/operator.go shouldExecute: the
 * substituted text through govaluate; docs: walk-through/conditionals.md): the subset the `argo`
 * executor renders and conditionals' examples use — comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`) of
 * numbers, quoted strings and bare words, joined by `&&`, `||`, with `!` and parentheses. Numbers
 * compare as numbers; anything else as text (govaluate's bare words are strings in Argo's use, e.g.
 * `heads == heads`). A condition it cannot read is an error (Argo fails the task).
 */

type Token = { kind: "op"; text: string } | { kind: "value"; value: string | number };

const OPERATORS = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")"];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    if (/\s/.test(text[at]!)) {
      at++;
      continue;
    }
    const op = OPERATORS.find((candidate) => text.startsWith(candidate, at));
    if (op) {
      tokens.push({ kind: "op", text: op });
      at += op.length;
      continue;
    }
    const quote = text[at];
    if (quote === "'" || quote === '"') {
      const end = text.indexOf(quote, at + 1);
      if (end < 0) throw new Error(`unterminated string in when: ${text}`);
      tokens.push({ kind: "value", value: text.slice(at + 1, end) });
      at = end + 1;
      continue;
    }
    const word = /^[^\s=!<>&|()'"]+/.exec(text.slice(at))![0];
    tokens.push({ kind: "value", value: /^-?\d+(\.\d+)?$/.test(word) ? Number(word) : word });
    at += word.length;
  }
  return tokens;
}

function compare(op: string, a: string | number, b: string | number): boolean {
  const numeric = typeof a === "number" && typeof b === "number";
  const [x, y] = numeric ? [a, b] : [String(a), String(b)];
  switch (op) {
    case "==":
      return x === y;
    case "!=":
      return x !== y;
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    default:
      return x >= y;
  }
}

/** True when the (already substituted) `when` text holds. */
export function evaluateWhen(text: string): boolean {
  const tokens = tokenize(text);
  let at = 0;
  const peek = () => tokens[at];
  const fail = (): never => {
    throw new Error(`cannot evaluate when: ${text}`);
  };
  const operand = (): boolean | string | number => {
    const token = tokens[at++] ?? fail();
    if (token.kind === "value") return token.value;
    if (token.text === "!") return !truthy(operand());
    if (token.text !== "(") return fail();
    const inner = or();
    if (tokens[at++]?.kind !== "op") fail();
    return inner;
  };
  const truthy = (value: boolean | string | number): boolean =>
    typeof value === "boolean" ? value : value === "true" ? true : value === "false" ? false : fail();
  const comparison = (): boolean | string | number => {
    const left = operand();
    const next = peek();
    if (next?.kind !== "op" || !["==", "!=", "<", "<=", ">", ">="].includes(next.text)) return left;
    at++;
    const right = operand();
    if (typeof left === "boolean" || typeof right === "boolean") return fail();
    return compare(next.text, left, right);
  };
  const and = (): boolean | string | number => {
    let value = comparison();
    while (peek()?.kind === "op" && (peek() as { text: string }).text === "&&") {
      at++;
      const right = comparison();
      value = truthy(value) && truthy(right);
    }
    return value;
  };
  const or = (): boolean | string | number => {
    let value = and();
    while (peek()?.kind === "op" && (peek() as { text: string }).text === "||") {
      at++;
      const right = and();
      value = truthy(value) || truthy(right);
    }
    return value;
  };
  const result = or();
  if (at !== tokens.length) fail();
  return truthy(result);
}
