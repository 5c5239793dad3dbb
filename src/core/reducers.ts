/** A function folding the values map branches produced (in item order) into one parameter value. */
export type Reducer = (values: unknown[]) => unknown;

const numbers = (values: unknown[]): number[] => values.map(Number);

/** Built-in reducers a YAML `reducer:` may name. */
export const BUILTIN_REDUCERS: Record<string, Reducer> = {
  list: (values) => values,
  first: (values) => values[0] ?? null,
  last: (values) => values[values.length - 1] ?? null,
  sum: (values) => numbers(values).reduce((a, b) => a + b, 0),
  max: (values) => (values.length ? Math.max(...numbers(values)) : null),
  min: (values) => (values.length ? Math.min(...numbers(values)) : null),
  mean: (values) => (values.length ? numbers(values).reduce((a, b) => a + b, 0) / values.length : null),
  concat: (values) => values.flatMap((v) => (Array.isArray(v) ? v : [v])),
};
