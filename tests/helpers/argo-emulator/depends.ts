/**
 * Argo's `depends` expressions (docs/enhanced-depends-logic.md, argo-workflows v4.1.2): operands
 * `<task>.<Result>` with Results Succeeded, Failed, Errored, Skipped, Omitted, Daemoned, AnySucceeded,
 * AllFailed; a bare `<task>` means `(task.Succeeded || task.Skipped || task.Daemoned)`; operators
 * `&&`, `||`, `!` and parentheses. A task runs once every task named in its `depends` is fulfilled
 * (`evaluateDependsLogic` in workflow/controller/dag.go returns "not yet" until then); if the
 * expression is then false the task is Omitted.
 */

/** Results a `depends` operand can test. */
export const TASK_RESULTS = ["Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed"] as const;

/** One result name. */
export type TaskResult = (typeof TASK_RESULTS)[number];

/** A parsed expression. */
export type DependsExpr =
  | { op: "task"; task: string; result: TaskResult | null }
  | { op: "not"; expr: DependsExpr }
  | { op: "and" | "or"; left: DependsExpr; right: DependsExpr };

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s*(\(|\)|&&|\|\||!|[A-Za-z0-9_-]+(?:\.[A-Za-z]+)?)/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) throw new Error(`depends "${text}": unexpected text at ${at}: "${text.slice(at, at + 10)}"`);
    tokens.push(match[1]!);
    at = pattern.lastIndex;
  }
  return tokens;
}

/** Parses a `depends` string (throws with the position of a syntax error). */
export function parseDepends(text: string): DependsExpr {
  const tokens = tokenize(text);
  let i = 0;
  const expect = (token: string) => {
    if (tokens[i] !== token) throw new Error(`depends "${text}": expected "${token}" but found "${tokens[i] ?? "end"}"`);
    i++;
  };
  const primary = (): DependsExpr => {
    const token = tokens[i++];
    if (token === undefined) throw new Error(`depends "${text}": unexpected end`);
    if (token === "(") {
      const inner = or();
      expect(")");
      return inner;
    }
    if (token === "!") return { op: "not", expr: primary() };
    if (token === ")" || token === "&&" || token === "||") throw new Error(`depends "${text}": unexpected "${token}"`);
    const dot = token.lastIndexOf(".");
    if (dot < 0) return { op: "task", task: token, result: null };
    const result = token.slice(dot + 1);
    if (!(TASK_RESULTS as readonly string[]).includes(result)) throw new Error(`depends "${text}": unknown result ".${result}"`);
    return { op: "task", task: token.slice(0, dot), result: result as TaskResult };
  };
  const and = (): DependsExpr => {
    let left = primary();
    while (tokens[i] === "&&") {
      i++;
      left = { op: "and", left, right: primary() };
    }
    return left;
  };
  const or = (): DependsExpr => {
    let left = and();
    while (tokens[i] === "||") {
      i++;
      left = { op: "or", left, right: and() };
    }
    return left;
  };
  const expr = or();
  if (i !== tokens.length) throw new Error(`depends "${text}": unexpected "${tokens[i]}"`);
  return expr;
}

/** The task names an expression refers to (its dependencies). */
export function dependencyNames(expr: DependsExpr, into = new Set<string>()): Set<string> {
  if (expr.op === "task") into.add(expr.task);
  else if (expr.op === "not") dependencyNames(expr.expr, into);
  else {
    dependencyNames(expr.left, into);
    dependencyNames(expr.right, into);
  }
  return into;
}

/** What a finished dependency looks like to the expression. */
export interface DependencyState {
  phase: "Succeeded" | "Failed" | "Error" | "Skipped" | "Omitted";
  /** Phases of an expanded (withParam) task's children, for AnySucceeded/AllFailed. */
  children?: string[];
}

function resultHolds(state: DependencyState, result: TaskResult | null): boolean {
  switch (result) {
    case null:
      return state.phase === "Succeeded" || state.phase === "Skipped";
    case "Errored":
      return state.phase === "Error";
    case "Daemoned":
      return false;
    case "AnySucceeded":
      return (state.children ?? []).some((p) => p === "Succeeded");
    case "AllFailed":
      return (state.children ?? []).length > 0 && (state.children ?? []).every((p) => p === "Failed");
    default:
      return state.phase === result;
  }
}

/** Evaluates an expression once every dependency is fulfilled. */
export function evaluateDepends(expr: DependsExpr, states: ReadonlyMap<string, DependencyState>): boolean {
  switch (expr.op) {
    case "task": {
      const state = states.get(expr.task);
      if (!state) throw new Error(`depends refers to unknown task "${expr.task}"`);
      return resultHolds(state, expr.result);
    }
    case "not":
      return !evaluateDepends(expr.expr, states);
    case "and":
      return evaluateDepends(expr.left, states) && evaluateDepends(expr.right, states);
    case "or":
      return evaluateDepends(expr.left, states) || evaluateDepends(expr.right, states);
  }
}
