import { RunnableError } from "../core/errors.js";
import type { ExecuteIntent, RetryIntent, RunIntent } from "./prepare.js";

// runnable 0.50's environment variables that choose what a run is (runnable/context.py): the run id,
// the parameters file, and a retry. Each is used only where the caller (command line, SDK script) gave
// nothing; RUNNABLE_CONFIGURATION_FILE is read with the config (config/load-config.ts).

/** The run id of a new run when none is given (0.50: typer's `envvar` of `execute`'s RUN_ID argument). */
export const RUN_ID_ENV = "RUNNABLE_RUN_ID";
/** The initial parameters file when none is given. */
export const PARAMETERS_FILE_ENV = "RUNNABLE_PARAMETERS_FILE";
/**
 * Turns a new run into the retry of this run id: runnable 0.50's `runnable retry` sets it so that the
 * run's context retries (and Argo's retry workflows pass it to their pods); set by hand, `runnable
 * execute` and `pipeline.execute()` retry that run with the pipeline given.
 */
export const RETRY_RUN_ID_ENV = "RUNNABLE_RETRY_RUN_ID";

type Env = Readonly<Record<string, string | undefined>>;

const fromEnv = (env: Env, name: string): string | undefined => (env[name] ? env[name] : undefined);

/**
 * The intent with what the environment adds: a run id (`RUNNABLE_RUN_ID`) and a parameters file
 * (`RUNNABLE_PARAMETERS_FILE`) where none was given, and an execute turned into a retry by
 * `RUNNABLE_RETRY_RUN_ID`. Explicit inputs win, except that a retry asked for this way is a retry.
 */
export function withEnvironmentInputs(intent: RunIntent, env: Env, warn: (message: string) => void): RunIntent {
  switch (intent.kind) {
    case "execute": {
      const retryOf = fromEnv(env, RETRY_RUN_ID_ENV);
      if (retryOf !== undefined) return retryFromEnvironment(intent, retryOf, env, warn);
      return withDefaults(intent, env, true);
    }
    case "validate":
      return withDefaults(intent, env, true);
    case "step":
      return withDefaults(intent, env, false);
    case "retry":
      return intent;
  }
}

function withDefaults<I extends RunIntent & { parametersFile?: string; runId?: string }>(intent: I, env: Env, runId: boolean): I {
  const parametersFile = intent.parametersFile ?? fromEnv(env, PARAMETERS_FILE_ENV);
  const id = runId ? (intent.runId ?? fromEnv(env, RUN_ID_ENV)) : intent.runId;
  return { ...intent, ...(parametersFile !== undefined ? { parametersFile } : {}), ...(id !== undefined ? { runId: id } : {}) };
}

/**
 * The retry of `runId` with the pipeline of an execute (runnable 0.50: the run keeps its parameters,
 * so a parameters file or `RUNNABLE_PRM_*` given now is ignored with a warning).
 */
function retryFromEnvironment(intent: ExecuteIntent, runId: string, env: Env, warn: (message: string) => void): RetryIntent {
  if (intent.useCached !== undefined) {
    throw new RunnableError("CLI_USAGE", `${RETRY_RUN_ID_ENV}=${runId} asks for a retry, and --use-cached ${intent.useCached} for a re-run`, {
      hint: `unset ${RETRY_RUN_ID_ENV} to re-run, or drop --use-cached to retry run ${runId}`,
    });
  }
  if (intent.runId !== undefined && intent.runId !== runId) {
    throw new RunnableError("CLI_USAGE", `${RETRY_RUN_ID_ENV}=${runId} retries run "${runId}", but --run-id names run "${intent.runId}"`, {
      hint: `unset ${RETRY_RUN_ID_ENV} to start run "${intent.runId}", or drop --run-id to retry "${runId}"`,
    });
  }
  const parametersFile = intent.parametersFile ?? fromEnv(env, PARAMETERS_FILE_ENV);
  if (parametersFile !== undefined) warn(`retrying run ${runId}: it keeps the parameters it started with; ${parametersFile} is not read`);
  const { kind: _kind, source, parametersFile: _p, runId: _r, useCached: _u, executionPlan: _e, tag, ...options } = intent;
  return { ...options, kind: "retry", runId, source, ...(tag !== undefined ? { tag } : {}) };
}
