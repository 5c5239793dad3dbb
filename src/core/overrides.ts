import { RunnableError } from "./errors.js";

/** A node's `overrides` mapping: executor type → name of a bundle in the executor's `overrides`. */
export type NodeOverrides = Readonly<Record<string, string>>;

/**
 * The executor config that applies to one step (runnable's `_resolve_executor_config`): the global
 * config with the bundle the step names for this executor type shallow-merged over it. A step naming a
 * bundle that does not exist is a CONFIG_INVALID error naming both.
 */
export function effectiveExecutorConfig<C extends Record<string, unknown>>(
  config: C,
  bundles: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  executorType: string,
  step: { name: string; overrides: NodeOverrides },
): C {
  const key = step.overrides[executorType];
  if (key === undefined) return config;
  const bundle = Object.hasOwn(bundles, key) ? bundles[key] : undefined;
  if (!bundle) {
    const known = Object.keys(bundles);
    throw new RunnableError("CONFIG_INVALID", `No override of key: ${key} found in the overrides section (step "${step.name}", executor ${executorType})`, {
      hint: known.length ? `the executor's overrides are: ${known.join(", ")}` : `add "${key}" under executor.config.overrides in the services config`,
    });
  }
  return { ...config, ...bundle };
}

/** The executor config key limiting how long one attempt of a step may run (runnable's argo key). */
export const STEP_TIME_LIMIT_KEY = "max_step_duration_in_seconds";

/**
 * The time limit (ms) of a step from an executor config and the step's override bundle, or undefined
 * when none is set. A bundle value that is not a positive number is a CONFIG_INVALID error.
 */
export function stepTimeLimitMs(
  config: Readonly<Record<string, unknown>>,
  bundles: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  executorType: string,
  step: { name: string; overrides: NodeOverrides },
): number | undefined {
  const value = effectiveExecutorConfig({ ...config }, bundles, executorType, step)[STEP_TIME_LIMIT_KEY];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !(value > 0)) {
    throw new RunnableError(
      "CONFIG_INVALID",
      `${STEP_TIME_LIMIT_KEY} must be a positive number of seconds (step "${step.name}", got ${JSON.stringify(value)})`,
    );
  }
  return value * 1000;
}

/** Problems with the override bundles steps name (missing bundles, bad time limits), for checks before a run. */
export function overrideProblems(
  config: Readonly<Record<string, unknown>>,
  bundles: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  executorType: string,
  steps: Iterable<{ name: string; internalName: string; overrides: NodeOverrides; source?: { file?: string; line?: number; col?: number } }>,
): { message: string; file?: string; line?: number; col?: number }[] {
  const problems: { message: string; file?: string; line?: number; col?: number }[] = [];
  for (const step of steps) {
    try {
      stepTimeLimitMs(config, bundles, executorType, step);
    } catch (error) {
      problems.push({ message: `step "${step.internalName}": ${(error as Error).message}`, ...step.source });
    }
  }
  return problems;
}
