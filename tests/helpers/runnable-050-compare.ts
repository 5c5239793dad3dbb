import { isDeepStrictEqual } from "node:util";
import type { Normalised, NormalisedBranch, NormalisedStep } from "./runnable-050-normalise.js";

/**
 * A difference this project makes deliberately (or knowingly, until an issue lands), declared per
 * example: `path` matches a difference's path (a string with `*` wildcards, or a RegExp), `reason`
 * says why it is allowed.
 */
export interface AllowedDifference {
  path: string | RegExp;
  reason: string;
}

/** One difference between two normalised runs; `a` and `b` are undefined where a side has nothing. */
export interface Difference {
  path: string;
  a: unknown;
  b: unknown;
}

/** What `compare` found: differences not allowed, allowed ones (with the reason) and allowances that matched nothing. */
export interface Comparison {
  differences: Difference[];
  allowed: { difference: Difference; reason: string }[];
  unused: AllowedDifference[];
}

const key = (name: string) => `[${JSON.stringify(name)}]`;

function compareValue(path: string, a: unknown, b: unknown, out: Difference[]): void {
  if (!isDeepStrictEqual(a, b)) out.push({ path, a, b });
}

function compareRecords<T>(path: string, a: Record<string, T>, b: Record<string, T>, each: (path: string, a: T, b: T) => void, out: Difference[]) {
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const inA = Object.hasOwn(a, name);
    const inB = Object.hasOwn(b, name);
    if (inA && inB) each(`${path}${key(name)}`, a[name] as T, b[name] as T);
    else out.push({ path: `${path}${key(name)}`, a: inA ? a[name] : undefined, b: inB ? b[name] : undefined });
  }
}

function compareSteps(path: string, a: Record<string, NormalisedStep>, b: Record<string, NormalisedStep>, out: Difference[]): void {
  compareRecords(path, a, b, (at, x, y) => compareStep(at, x, y, out), out);
}

function compareStep(path: string, a: NormalisedStep, b: NormalisedStep, out: Difference[]): void {
  compareValue(`${path}.status`, a.status, b.status, out);
  compareValue(`${path}.attempts`, a.attempts, b.attempts, out);
  compareValue(`${path}.mock`, a.mock, b.mock, out);
  compareRecords(`${path}.metrics`, a.metrics ?? {}, b.metrics ?? {}, (at, x, y) => compareValue(at, x, y, out), out);
  const branch = (at: string, x: NormalisedBranch, y: NormalisedBranch) => {
    compareValue(`${at}.status`, x.status, y.status, out);
    compareSteps(`${at}.steps`, x.steps, y.steps, out);
  };
  compareRecords(`${path}.branches`, a.branches ?? {}, b.branches ?? {}, branch, out);
}

function compareSets(path: string, a: string[], b: string[], out: Difference[]): void {
  const inB = new Set(b);
  const inA = new Set(a);
  for (const name of a) if (!inB.has(name)) out.push({ path: `${path}${key(name)}`, a: true, b: undefined });
  for (const name of b) if (!inA.has(name)) out.push({ path: `${path}${key(name)}`, a: undefined, b: true });
}

/** Every difference between two normalised runs, unfiltered. */
export function differences(a: Normalised, b: Normalised): Difference[] {
  const out: Difference[] = [];
  compareValue("exitCodes", a.exitCodes, b.exitCodes, out);
  compareValue("status", a.status, b.status, out);
  compareSteps("steps", a.steps, b.steps, out);
  if (a.job || b.job) {
    if (a.job && b.job) compareStep("job", a.job, b.job, out);
    else out.push({ path: "job", a: a.job, b: b.job });
  }
  compareRecords("parameters", a.parameters, b.parameters, (at, x, y) => compareValue(at, x, y, out), out);
  compareRecords("catalog", a.catalog, b.catalog, (at, x, y) => compareValue(at, x, y, out), out);
  compareSets("objects", a.objects, b.objects, out);
  compareSets("files", a.files, b.files, out);
  return out;
}

function matches(pattern: string | RegExp, path: string): boolean {
  if (pattern instanceof RegExp) return pattern.test(path);
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`).test(path);
}

/** Compares two normalised runs (`a`: runnable 0.50.0, `b`: ours) with the example's allowed differences. */
export function compare(a: Normalised, b: Normalised, allowedDifferences: AllowedDifference[] = []): Comparison {
  const result: Comparison = { differences: [], allowed: [], unused: [] };
  const used = new Set<AllowedDifference>();
  for (const difference of differences(a, b)) {
    const allowance = allowedDifferences.find((allowed) => matches(allowed.path, difference.path));
    if (allowance) {
      used.add(allowance);
      result.allowed.push({ difference, reason: allowance.reason });
    } else result.differences.push(difference);
  }
  result.unused = allowedDifferences.filter((allowed) => !used.has(allowed));
  return result;
}

const show = (value: unknown) => (value === undefined ? "(nothing)" : JSON.stringify(value));

/** One line per difference: `path: <a label> X, <b label> Y`. */
export function formatDifferences(list: Difference[], labels: [string, string] = ["0.50", "ours"]): string {
  return list.map((d) => `${d.path}: ${labels[0]} ${show(d.a)}, ${labels[1]} ${show(d.b)}`).join("\n");
}
