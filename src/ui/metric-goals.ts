import { RunnableError } from "../core/errors.js";

// Which way is better for a metric: a run or a sweep has one "final" value per metric only once this
// is known (the best item), and sorting puts the best first. Inferred from the metric's name, unless
// the user says otherwise (`--goal loss=max`, the UI's goal toggle).

/** Whether lower or higher values of a metric are better. */
export type Goal = "min" | "max";

/** Goals given by the user, by metric key (they win over the inferred ones). */
export type Goals = Readonly<Record<string, Goal>>;

/** Words of metric names where lower is better (a key's words: split at `_ - . / :`, spaces and camelCase). */
const LOWER_IS_BETTER = new Set(
  "loss err error errors mse mae rmse mape smape perplexity ppl cost regret latency time seconds ms duration wer cer distance divergence kl nll bpd".split(" "),
);

function lowerIsBetter(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[\s_\-./:]+/);
  return words.some((word) => LOWER_IS_BETTER.has(word) || word.endsWith("loss"));
}

/** The goal of a metric key: the user's, else `min` for names like loss/error/mse/latency, else `max`. */
export function goalOf(key: string, goals: Goals = {}): Goal {
  const given = goals[key] ?? goals[key.split("/").at(-1) ?? key];
  if (given) return given;
  return lowerIsBetter(key.split("/").at(-1) ?? key) ? "min" : "max";
}

/** True when `a` is better than `b` under `goal`. */
export function better(goal: Goal, a: number, b: number): boolean {
  return goal === "min" ? a < b : a > b;
}

/** Parses `--goal` values: `loss=min`, `acc=max,f1=max` (repeatable). */
export function parseGoals(texts: readonly string[] | string | undefined): Record<string, Goal> {
  const goals: Record<string, Goal> = {};
  const all = texts === undefined ? [] : typeof texts === "string" ? [texts] : texts;
  for (const text of all.flatMap((t) => t.split(","))) {
    const match = /^\s*([^=\s]+)\s*=\s*(min|max)\s*$/i.exec(text);
    if (!match) {
      throw new RunnableError("CLI_USAGE", `--goal "${text}" is not METRIC=min or METRIC=max`, {
        hint: "e.g. --goal loss=min --goal accuracy=max (lower-is-better names such as loss, error, mse and latency are min by default, others max)",
      });
    }
    goals[match[1]!] = match[2]!.toLowerCase() as Goal;
  }
  return goals;
}
