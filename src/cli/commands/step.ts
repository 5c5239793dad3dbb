import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RunnableError } from "../../core/errors.js";
import type { Status } from "../../core/run-log.js";
import { fanInStep, fanOutStep, runSingleStep } from "../../engine/single-step.js";
import type { RunEvent, RunStop } from "../../engine/services.js";
import { nextAttemptNumber } from "../../engine/step-log-writer.js";
import { type PreparedStep, type StepIntent, prepare } from "../../runtime/prepare.js";
import { createProgress } from "../../runtime/progress.js";
import type { CliIo } from "../io.js";
import { createCliLog } from "../log-level.js";
import { EXIT } from "../report-error.js";

/** Options the step entry points take (runnable's argument shapes). */
export interface StepCommandOptions {
  mapVariable?: string;
  file?: string;
  configFile?: string;
  parametersFile?: string;
  tag?: string;
  logLevel?: string;
  mode?: string;
}

/**
 * Prepares the step; its progress is shown once the executor is known: under a launcher (a
 * container's host shows the step's progress) only the step's output comes from here.
 */
async function prepareFor(runId: string, step: string, options: StepCommandOptions, io: CliIo, stop: RunStop): Promise<PreparedStep> {
  let show: ((event: RunEvent) => void) | undefined;
  const intent: StepIntent = {
    kind: "step",
    runId,
    step,
    ...(options.mapVariable ? { mapVariable: options.mapVariable } : {}),
    ...(options.file ? { file: options.file } : {}),
    ...(options.configFile ? { configFile: options.configFile } : {}),
    ...(options.parametersFile ? { parametersFile: options.parametersFile } : {}),
    ...(options.tag !== undefined ? { tag: options.tag } : {}),
    cwd: io.cwd,
    env: io.env,
    warn: createCliLog(options.logLevel, io.err).warn,
    onEvent: (event) => show?.(event),
    stop,
  };
  const prepared = await prepare(intent);
  show = createProgress({ tty: io.isTTY, showOutput: true, outputOnly: prepared.capabilities.underLauncher === true, write: io.out });
  return prepared;
}

const exitOf = (status: Status): number => (status === "SUCCESS" ? EXIT.success : EXIT.runFailed);

/**
 * `runnable execute-single-node RUN_ID STEP_NAME`: runs one task, stub or terminal step of a run (a
 * pod or container calls it). Exit 1 when the step failed (or a fail step ended the run).
 */
export async function executeSingleNodeCommand(runId: string, step: string, options: StepCommandOptions, io: CliIo): Promise<number> {
  const controls = io.stopControls();
  try {
    const prepared = await prepareFor(runId, step, options, io, controls.stop);
    try {
      const { node, place } = prepared.step;
      // An executor that retries by relaunch (Argo starts a new pod) gets one attempt here, and the
      // implicit fail only on the last. Under a launcher (a container's host) the launcher walks the
      // graph itself: no implicit fail here.
      const { retryByRelaunch, underLauncher } = prepared.capabilities;
      const attempt = place.prior ? nextAttemptNumber(place.prior) : 1;
      const lastTry = !retryByRelaunch || node.kind !== "task" || attempt >= node.maxAttempts;
      const status = await runSingleStep(prepared.run, prepared.step, { ...(retryByRelaunch ? { attempts: 1 } : {}), implicitFail: lastTry && !underLauncher });
      return exitOf(status);
    } finally {
      await prepared.dispose();
    }
  } finally {
    controls.dispose();
  }
}

/**
 * `runnable fan RUN_ID STEP_NAME --mode out|in`: the fan-out (step and branch logs; a map's items
 * written to $TMPDIR/output.txt, encoded by the executor, for the engine that fans out: Argo's
 * withParam) or the fan-in (status and parameters from the stored branch logs; exit 1 when it failed)
 * of a parallel, map or dag step.
 */
export async function fanCommand(runId: string, step: string, options: StepCommandOptions, io: CliIo): Promise<number> {
  if (options.mode !== "in" && options.mode !== "out") {
    throw new RunnableError("CLI_USAGE", `Invalid mode ${options.mode ?? "(none)"}`, { hint: "--mode takes in or out" });
  }
  const controls = io.stopControls();
  try {
    const prepared = await prepareFor(runId, step, options, io, controls.stop);
    try {
      if (options.mode === "in") return exitOf(await fanInStep(prepared.run, prepared.step));
      const items = await fanOutStep(prepared.run, prepared.step);
      const encode = prepared.capabilities.encodeMapItems;
      if (prepared.step.node.kind === "map" && encode) await writeFile(join(tmpdir(), "output.txt"), encode(items));
      return EXIT.success;
    } finally {
      await prepared.dispose();
    }
  } finally {
    controls.dispose();
  }
}
