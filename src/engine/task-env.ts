import { PARAMETER_PREFIXES, parametersToEnv } from "../core/parameters.js";
import { TRACK_PREFIXES } from "../core/metrics.js";
import type { MapVariable } from "../core/names.js";
import type { Parameters } from "../core/run-log.js";
import { PROCESS_COOKIE } from "../io/process-sweep.js";

const STRIPPED = [...PARAMETER_PREFIXES, ...TRACK_PREFIXES, "RUNNABLE_MAP_VARIABLE", "runnable_MAP_VARIABLE", PROCESS_COOKIE];

/** The launching environment without parameter/tracking/map variables (the engine sets those per step). */
export function baseEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || STRIPPED.some((p) => name.startsWith(p))) continue;
    base[name] = value;
  }
  return base;
}

/** What identifies the run to a subprocess (both our upper-case names and runnable's lower-case ones). */
export function runVariables(runId: string, tag: string, attempt: number): Record<string, string> {
  const vars: Record<string, string> = {
    RUNNABLE_RUN_ID: runId,
    runnable_RUN_ID: runId,
    RUNNABLE_STEP_ATTEMPT: String(attempt),
    runnable_STEP_ATTEMPT: String(attempt),
  };
  if (tag) Object.assign(vars, { RUNNABLE_RUN_TAG: tag, runnable_RUN_TAG: tag });
  return vars;
}

/** Environment of one task attempt: base + run variables + parameters + map variable + secrets. */
export function taskEnvironment(options: {
  base: Record<string, string>;
  runId: string;
  tag: string;
  attempt: number;
  parameters: Parameters;
  mapVariable: MapVariable;
  /** The enclosing loops' `index_as` variables. */
  loopEnv?: Readonly<Record<string, string>> | undefined;
  secrets: Record<string, string>;
  /** The attempt's process cookie (see attempt-processes.ts), passed on to everything its processes start. */
  processCookie?: string | undefined;
}): Record<string, string> {
  const env = { ...options.base, ...runVariables(options.runId, options.tag, options.attempt) };
  if (options.processCookie) env[PROCESS_COOKIE] = options.processCookie;
  Object.assign(env, parametersToEnv(options.parameters));
  if (options.mapVariable.length > 0) {
    const json = JSON.stringify(Object.fromEntries(options.mapVariable));
    env.RUNNABLE_MAP_VARIABLE = json;
    env.runnable_MAP_VARIABLE = json;
  }
  if (options.loopEnv) Object.assign(env, options.loopEnv);
  return Object.assign(env, options.secrets);
}
