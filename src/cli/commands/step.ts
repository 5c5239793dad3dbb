import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RunnableError } from "../../core/errors.js";
import type { Status } from "../../core/run-log.js";
import { fanInStep, fanOutStep, runSingleStep } from "../../engine/single-step.js";
import { nextAttemptNumber } from "../../engine/step-log-writer.js";
import { prepareStep, type StepOptions } from "../../runtime/prepare-step.js";
import type { CliIo } from "../io.js";
import { createCliLog } from "../log-level.js";
import { loadPipelineSource } from "../load-pipeline-source.js";
import { createProgress } from "../../runtime/progress.js";
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

function stepOptions(runId: string, step: string, options: StepCommandOptions, io: CliIo, stop: StepOptions["stop"]): StepOptions {
  const log = createCliLog(options.logLevel, io.err);
  return {
    runId,
    step,
    ...(options.mapVariable ? { mapVariable: options.mapVariable } : {}),
    ...(options.file ? { file: options.file } : {}),
    ...(options.configFile ? { configFile: options.configFile } : {}),
    ...(options.parametersFile ? { parametersFile: options.parametersFile } : {}),
    ...(options.tag !== undefined ? { tag: options.tag } : {}),
    loadFile: (file) => loadPipelineSource(file, io.cwd),
    cwd: io.cwd,
    env: io.env,
    warn: log.warn,
    // In a container the host shows the step's progress: only its output comes from here.
    onEvent: createProgress({ tty: io.isTTY, showOutput: true, outputOnly: io.env["RUNNABLE_IN_CONTAINER"] === "1", write: io.out }),
    ...(stop ? { stop } : {}),
  };
}

const exitOf = (status: Status): number => (status === "SUCCESS" ? EXIT.success : EXIT.runFailed);

/**
 * `runnable execute-single-node RUN_ID STEP_NAME`: runs one task, stub or terminal step of a run (a
 * pod or container calls it). Exit 1 when the step failed (or a fail step ended the run).
 */
export async function executeSingleNodeCommand(runId: string, step: string, options: StepCommandOptions, io: CliIo): Promise<number> {
  const controls = io.stopControls();
  const prepared = await prepareStep(stepOptions(runId, step, options, io, controls.stop));
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
    controls.dispose();
    await prepared.dispose();
  }
}

/**
 * `runnable fan RUN_ID STEP_NAME --mode out|in`: the fan-out (step and branch logs; a map's items
 * written to $TMPDIR/output.txt for Argo's withParam) or the fan-in (status and parameters from the
 * stored branch logs; exit 1 when it failed) of a parallel, map or dag step.
 */
export async function fanCommand(runId: string, step: string, options: StepCommandOptions, io: CliIo): Promise<number> {
  if (options.mode !== "in" && options.mode !== "out") {
    throw new RunnableError("CLI_USAGE", `Invalid mode ${options.mode ?? "(none)"}`, { hint: "--mode takes in or out" });
  }
  const controls = io.stopControls();
  const prepared = await prepareStep(stepOptions(runId, step, options, io, controls.stop));
  try {
    if (options.mode === "in") return exitOf(await fanInStep(prepared.run, prepared.step));
    const items = await fanOutStep(prepared.run, prepared.step);
    // The engine that fans out (Argo's withParam) reads a map's items from $TMPDIR/output.txt.
    const encode = prepared.capabilities.encodeMapItems;
    if (prepared.step.node.kind === "map" && encode) await writeFile(join(tmpdir(), "output.txt"), encode(items));
    return EXIT.success;
  } finally {
    controls.dispose();
    await prepared.dispose();
  }
}
