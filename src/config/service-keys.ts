import type { Problem } from "../core/errors.js";
import { isMapping } from "../core/values.js";
import { problemAt } from "../source/positions.js";
import { type YamlPath, type YamlSource, valueAt } from "./yaml-source.js";

// The top-level keys of a services configuration and how each may be spelt: February-2024 runnable's
// (`executor`, `run_log_store`), and runnable 0.50's (`pipeline-executor`, `run-log-store`,
// `job-executor`; 0.50 reads any key with `-` replaced by `_`, so `pipeline_executor` is 0.50's too).

/** The services a configuration file chooses, in runnable's order. */
export const SERVICE_KEYS = ["executor", "run_log_store", "catalog", "secrets", "experiment_tracker"] as const;

/** One of the configuration file's service keys. */
export type ServiceKey = (typeof SERVICE_KEYS)[number];

/** The key of the job executor (runnable 0.50's jobs): validated and kept, not one of the run's services. */
export const JOB_EXECUTOR_KEY = "job_executor";

/** Every top-level entry a configuration may hold, by its canonical name. */
export type ConfigEntry = ServiceKey | typeof JOB_EXECUTOR_KEY | "task_runners";

/** The spellings of each entry: the canonical name first, then the other accepted ones. */
export const KEY_SPELLINGS: Readonly<Record<ConfigEntry, readonly string[]>> = {
  executor: ["executor", "pipeline-executor", "pipeline_executor"],
  run_log_store: ["run_log_store", "run-log-store"],
  catalog: ["catalog"],
  secrets: ["secrets"],
  experiment_tracker: ["experiment_tracker", "experiment-tracker"],
  job_executor: ["job-executor", "job_executor"],
  task_runners: ["task_runners"],
};

/** Every accepted top-level key. */
export const CONFIG_KEYS: readonly string[] = Object.values(KEY_SPELLINGS).flat();

/** The top-level keys as messages list them: each entry once, with runnable 0.50's spelling beside today's. */
export const KNOWN_KEYS_TEXT = [
  "executor (or pipeline-executor)",
  "run_log_store (or run-log-store)",
  "catalog",
  "secrets",
  "experiment_tracker",
  "task_runners",
  "job-executor",
].join(", ");

/** Where an entry is in a mapping: the spelling used, or none; a problem when two spellings of one entry are both there. */
export interface EntryKey {
  key?: string;
  problems: Problem[];
}

/**
 * The key under which `entry` is written in the mapping at `at` (the top level or a `defaults:` block).
 * Two spellings of one entry (`executor` and `pipeline-executor`) are a problem naming both lines.
 */
export function entryKeyIn(source: YamlSource, at: YamlPath, entry: ConfigEntry): EntryKey {
  const mapping = valueAt(source, at);
  if (!isMapping(mapping)) return { problems: [] };
  const found = KEY_SPELLINGS[entry].filter((spelling) => Object.hasOwn(mapping, spelling));
  if (found.length <= 1) return found[0] === undefined ? { problems: [] } : { key: found[0], problems: [] };
  const where = (key: string): string => {
    const position = source.positionOf([...at, key], "key");
    return position ? `${source.file}:${position.line}` : source.file;
  };
  const [first, ...others] = found as [string, ...string[]];
  const problems = others.map((other) =>
    problemAt(
      source,
      [...at, other],
      `"${first}" (${where(first)}) and "${other}" (${where(other)}) are two spellings of the ${entry} key (February-2024 runnable's and runnable 0.50's); keep one of them`,
    ),
  );
  return { key: first, problems };
}
