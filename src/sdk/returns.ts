import { RunnableError } from "../core/errors.js";
import { RETURN_KINDS, type ParameterKind } from "../core/returns.js";

// What a task hands back by name, as runnable 0.50's Python SDK writes it: `returns: ["a", metric("score"),
// object("model")]`. A plain name is a JSON value. The types tie the declared returns to what a
// TypeScript function returns: one value for one name, a tuple with one value per name for several.

/** A returned value with its kind (`json` is the default of a plain name). */
export interface Returned<K extends ParameterKind = ParameterKind, N extends string = string> {
  readonly name: N;
  readonly kind: K;
}

/** An entry of `returns`: a name (a JSON value) or a {@link Returned} made by `json`, `metric` or `object`. */
export type ReturnEntry = string | Returned;

/** A JSON value returned by name (the same as giving the name alone). */
export function json<const N extends string>(name: N): Returned<"json", N> {
  return { name, kind: "json" };
}

/** A metric returned by name: a parameter, and a metric of the step (its `user_defined_metrics`, the experiment tracker). */
export function metric<const N extends string>(name: N): Returned<"metric", N> {
  return { name, kind: "metric" };
}

/**
 * Any value returned by name and passed to later tasks as it is: stored in the run's catalog, not the
 * run log (TypeScript values serialised with `v8.serialize`, Python's pickled as runnable 0.50 does).
 */
export function object<const N extends string>(name: N): Returned<"object", N> {
  return { name, kind: "object" };
}

/** What a metric can be: a number, or named numbers (nested, as experiment trackers flatten them). */
export type MetricValue = number | { readonly [key: string]: MetricValue };

/** The value a TypeScript function gives for one entry of `returns`. */
export type ReturnedValue<E> = E extends Returned<"metric"> ? MetricValue : unknown;

/** The tuple a function returning several values gives: one value per entry of `returns`, in order. */
export type ReturnedTuple<R extends readonly ReturnEntry[]> = { -readonly [I in keyof R]: ReturnedValue<R[I]> };

/**
 * What a TypeScript function declaring `returns` must return: anything without returns (February-2024:
 * an object of parameters, or nothing), the value itself for one name, a tuple for several.
 */
export type ReturnedValues<R extends readonly ReturnEntry[]> = R extends readonly []
  ? unknown
  : R extends readonly [infer Only]
    ? ReturnedValue<Only>
    : ReturnedTuple<R>;

/** The YAML form of `returns` (as runnable 0.50 writes it): every entry `{name, kind}`. */
export function returnsToYaml(what: string, returns: readonly ReturnEntry[] | undefined): { name: string; kind: ParameterKind }[] | undefined {
  if (returns === undefined) return undefined;
  if (!Array.isArray(returns)) throw new RunnableError("PIPELINE_INVALID", `${what}: returns must be a list of names or json()/metric()/object() entries`);
  return returns.map((entry) => {
    const { name, kind } = typeof entry === "string" ? { name: entry, kind: "json" as const } : entry;
    if (typeof name !== "string" || !(RETURN_KINDS as readonly string[]).includes(kind)) {
      throw new RunnableError("PIPELINE_INVALID", `${what}: returns entry ${JSON.stringify(entry)} is not a name or json()/metric()/object()`);
    }
    return { name, kind };
  });
}
