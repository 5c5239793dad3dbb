import { RunnableError } from "../core/errors.js";
import { type Goals, goalOf } from "./metric-goals.js";

// The runs list's `--filter` and `--sort` (and the run browser's): comparisons on a run's final
// metrics and its parameters, joined with `and`.
//
//   filter := comparison ("and" comparison)*
//   comparison := name op value
//   name  := [metrics. | params.] word        word: letters, digits, _ - . / :  (or "quoted")
//   op    := < <= > >= = == !=
//   value := number | true | false | null | "text" | 'text' | word
//
// A name without `metrics.`/`params.` is the run's metric of that name when it has one, else its
// parameter. Ordering operators compare numbers (text with text); a run that lacks the name, or whose
// value is of another kind, does not match. `sort` is `name`, `name:asc` or `name:desc`; a metric
// without a direction sorts best first (its goal), a parameter ascending.

/** Where a name is looked up. */
export type NameScope = "metrics" | "params" | "either";

/** One `name op value`. */
export interface Comparison {
  scope: NameScope;
  name: string;
  op: "<" | "<=" | ">" | ">=" | "=" | "!=";
  value: unknown;
}

/** A parsed sort: by name, and the direction when one was given. */
export interface RunSort {
  scope: NameScope;
  name: string;
  direction?: "asc" | "desc";
}

/** What a filter or sort reads of a run. */
export interface Filterable {
  metrics: Readonly<Record<string, unknown>>;
  parameters: Readonly<Record<string, unknown>>;
}

const FILTER_HINT =
  "A filter is comparisons joined with `and`, e.g. 'loss<0.2 and params.lr>=0.01' (operators < <= > >= = !=; " +
  "prefix metrics. or params. when a metric and a parameter share a name).";
const TOKEN =
  /\s*(?:(<=|>=|==|!=|<|>|=)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.\-/:]))|([\p{L}\p{N}_.\-/:]+|&&))/uy;

type Token = { kind: "op" | "text" | "number" | "word"; text: string; at: number };

function tokens(text: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    if (/^\s*$/.test(text.slice(at))) break;
    const match = TOKEN.exec(text);
    if (!match) throw filterError(text, at + (text.slice(at).length - text.slice(at).trimStart().length), `unexpected "${text.slice(at).trim()[0]}"`);
    const [, op, quoted, number, word] = match;
    const start = at + (match[0].length - match[0].trimStart().length);
    if (op) out.push({ kind: "op", text: op, at: start });
    else if (quoted) out.push({ kind: "text", text: unquote(quoted), at: start });
    else if (number) out.push({ kind: "number", text: number, at: start });
    else out.push({ kind: "word", text: word!, at: start });
  }
  return out;
}

function unquote(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(.)/g, "$1");
}

function filterError(text: string, at: number, what: string): RunnableError {
  return new RunnableError("CLI_USAGE", `filter "${text}": ${what} at character ${at + 1}`, { hint: FILTER_HINT });
}

/** Splits `metrics.loss` / `params.lr` / `loss` into scope and name. */
function scoped(name: string): { scope: NameScope; name: string } {
  const match = /^(metrics?|params?)\.(.+)$/.exec(name);
  if (!match) return { scope: "either", name };
  return { scope: match[1]!.startsWith("metric") ? "metrics" : "params", name: match[2]! };
}

function literal(token: Token): unknown {
  if (token.kind === "number") return Number(token.text);
  if (token.kind === "text") return token.text;
  if (token.text === "true") return true;
  if (token.text === "false") return false;
  if (token.text === "null") return null;
  return token.text;
}

/** Parses a filter (empty text: no comparisons). Throws CLI_USAGE saying where it went wrong. */
export function parseFilter(text: string): Comparison[] {
  const list = tokens(text);
  const result: Comparison[] = [];
  let i = 0;
  while (i < list.length) {
    if (result.length > 0) {
      const joiner = list[i]!;
      if (joiner.kind !== "word" || !/^(and|&&)$/i.test(joiner.text)) throw filterError(text, joiner.at, `expected "and", found "${joiner.text}"`);
      i++;
    }
    const [name, op, value] = [list[i], list[i + 1], list[i + 2]];
    if (!name || (name.kind !== "word" && name.kind !== "text")) throw filterError(text, name?.at ?? text.length, "expected a metric or parameter name");
    if (op?.kind !== "op") throw filterError(text, op?.at ?? text.length, `expected an operator (< <= > >= = !=) after "${name.text}"`);
    if (!value || value.kind === "op") throw filterError(text, value?.at ?? text.length, `expected a value after "${name.text} ${op.text}"`);
    result.push({ ...scoped(name.text), op: (op.text === "==" ? "=" : op.text) as Comparison["op"], value: literal(value) });
    i += 3;
  }
  return result;
}

/** Parses `name`, `name:asc` or `name:desc`. */
export function parseSort(text: string): RunSort {
  const match = /^\s*(.+?)(?::(asc|desc))?\s*$/i.exec(text);
  if (!match || match[1]!.trim() === "") {
    throw new RunnableError("CLI_USAGE", `sort "${text}" names no metric or parameter`, { hint: "e.g. --sort loss, --sort accuracy:desc, --sort params.lr" });
  }
  const direction = match[2]?.toLowerCase() as RunSort["direction"];
  return { ...scoped(match[1]!.trim()), ...(direction ? { direction } : {}) };
}

/** The value a name refers to in a run, and whether the run has it. */
export function lookup(run: Filterable, scope: NameScope, name: string): { found: boolean; value: unknown } {
  if (scope !== "params" && Object.hasOwn(run.metrics, name)) return { found: true, value: run.metrics[name] };
  if (scope !== "metrics" && Object.hasOwn(run.parameters, name)) return { found: true, value: run.parameters[name] };
  return { found: false, value: undefined };
}

const sameValue = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

function compare(actual: unknown, { op, value }: Comparison): boolean {
  if (op === "=") return sameValue(actual, value);
  if (op === "!=") return !sameValue(actual, value);
  const bothNumbers = typeof actual === "number" && typeof value === "number";
  const bothText = typeof actual === "string" && typeof value === "string";
  if (!bothNumbers && !bothText) return false;
  const [a, b] = [actual as number | string, value as number | string];
  return op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
}

/** True when a run satisfies every comparison. */
export function matchesFilter(run: Filterable, filter: readonly Comparison[]): boolean {
  return filter.every((comparison) => {
    const { found, value } = lookup(run, comparison.scope, comparison.name);
    return found && compare(value, comparison);
  });
}

/** Whether a sort puts larger values first: explicit, else a metric's goal (`max`), else ascending. */
export function sortsDescending(sort: RunSort, runs: readonly Filterable[], goals: Goals): boolean {
  if (sort.direction) return sort.direction === "desc";
  const isMetric = sort.scope === "metrics" || (sort.scope === "either" && runs.some((run) => Object.hasOwn(run.metrics, sort.name)));
  return isMetric && goalOf(sort.name, goals) === "max";
}

/** Runs sorted by a name: numbers by value, then text, then runs without it (stable otherwise). */
export function sortRuns<T extends Filterable>(runs: readonly T[], sort: RunSort, descending: boolean): T[] {
  // Ranked once per run: the comparator runs n log n times (10,000 runs in `runs list --sort`).
  const keyed = runs.map((run, index) => {
    const { found, value } = lookup(run, sort.scope, sort.name);
    const rank = !found ? 3 : typeof value === "number" ? 0 : typeof value === "string" ? 1 : 2;
    return { run, index, rank, value: value as number | string };
  });
  const sign = descending ? -1 : 1;
  keyed.sort((a, b) => {
    const byKind = a.rank - b.rank;
    if (byKind !== 0 || a.rank >= 2) return byKind || a.index - b.index;
    const order = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
    return sign * order || a.index - b.index;
  });
  return keyed.map((entry) => entry.run);
}
