import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { RunnableError } from "../../core/errors.js";
import type { Status } from "../../core/run-log.js";
import { fanInStep, fanOutStep, nextIterationStep, runSingleStep } from "../../engine/single-step.js";
import type { RunEvent, RunStop } from "../../engine/services.js";
import type { ResolvedStep } from "../../engine/resolve-step.js";
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
  /** A JSON file of chunks of map variables (each chunk an array of `--map-variable` objects). */
  mapVariablesFile?: string;
  /** Which chunk of `mapVariablesFile` to run (default 0). */
  chunk?: string;
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

/** Runs one resolved step in this process (one attempt when the executor retries by relaunch). */
async function runResolved(prepared: PreparedStep, step: ResolvedStep): Promise<Status> {
  const { node, place } = step;
  // An executor that retries by relaunch (Argo starts a new pod) gets one attempt here, and the
  // implicit fail only on the last. Under a launcher (a container's host) the launcher walks the
  // graph itself: no implicit fail here.
  const { retryByRelaunch, underLauncher } = prepared.capabilities;
  const attempt = place.prior ? nextAttemptNumber(place.prior) : 1;
  const lastTry = !retryByRelaunch || node.kind !== "task" || attempt >= node.maxAttempts;
  return runSingleStep(prepared.run, step, { ...(retryByRelaunch ? { attempts: 1 } : {}), implicitFail: lastTry && !underLauncher });
}

/**
 * The map variables of chunk `--chunk` of a `--map-variables-file`: a JSON array of chunks, each an
 * array of `--map-variable` objects (a launcher runs several items of a map step in one process).
 */
async function chunkOf(options: StepCommandOptions, cwd: string): Promise<string[]> {
  const file = options.mapVariablesFile!;
  const usage = (message: string, hint: string) => new RunnableError("CLI_USAGE", message, { hint });
  if (options.mapVariable) throw usage("--map-variable and --map-variables-file cannot be combined", "give one item with --map-variable, or a file of chunks");
  const index = Number(options.chunk ?? "0");
  if (!/^\d+$/.test(options.chunk ?? "0")) throw usage(`--chunk must be a whole number ≥ 0, not "${options.chunk}"`, "e.g. --chunk 3");
  let chunks: unknown;
  try {
    chunks = JSON.parse(await readFile(resolve(cwd, file), "utf8"));
  } catch (error) {
    throw usage(
      `--map-variables-file ${file} cannot be read: ${(error as Error).message}`,
      "give a JSON file: an array of chunks, each an array of map-variable objects",
    );
  }
  const chunk = Array.isArray(chunks) ? chunks[index] : undefined;
  if (!Array.isArray(chunk) || chunk.length === 0 || !chunk.every((item) => typeof item === "object" && item !== null && !Array.isArray(item))) {
    throw usage(
      `--map-variables-file ${file} has no chunk ${index} of map-variable objects`,
      `the file holds ${Array.isArray(chunks) ? chunks.length : 0} chunk(s), numbered from 0`,
    );
  }
  return chunk.map((item) => JSON.stringify(item));
}

/**
 * `runnable execute-single-node RUN_ID STEP_NAME`: runs one task, stub or terminal step of a run (a
 * pod or container calls it), or, with `--map-variables-file`, the step for each item of a chunk in
 * turn (a cluster's array task). Exit 1 when the step (an item) failed (or a fail step ended the run).
 */
export async function executeSingleNodeCommand(runId: string, step: string, options: StepCommandOptions, io: CliIo): Promise<number> {
  const items = options.mapVariablesFile === undefined ? undefined : await chunkOf(options, io.cwd);
  const controls = io.stopControls();
  try {
    const prepared = await prepareFor(runId, step, items ? { ...options, mapVariable: items[0]! } : options, io, controls.stop);
    try {
      if (!items) return exitOf(await runResolved(prepared, prepared.step));
      let failed = false;
      for (const [index, item] of items.entries()) {
        if (controls.stop.signal.aborted) return EXIT.runFailed;
        if (items.length > 1) io.out(`--- ${step.replaceAll("%", " ")} ${item} (item ${index + 1} of ${items.length}) ---\n`);
        const status = await runResolved(prepared, index === 0 ? prepared.step : prepared.forMapVariable(item));
        failed ||= status !== "SUCCESS";
      }
      return failed ? EXIT.runFailed : EXIT.success;
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
 * withParam; a conditional's chosen branch index, for Argo's when) or the fan-in (status and parameters
 * from the stored branch logs; exit 1 when it failed) of a parallel, map, dag, conditional or loop step;
 * `--mode next` after a loop's iteration writes the next iteration's index, or -1 when the loop is over.
 */
export async function fanCommand(runId: string, step: string, options: StepCommandOptions, io: CliIo): Promise<number> {
  if (options.mode !== "in" && options.mode !== "out" && options.mode !== "next") {
    throw new RunnableError("CLI_USAGE", `Invalid mode ${options.mode ?? "(none)"}`, { hint: "--mode takes in or out (or next, after a loop's iteration)" });
  }
  const controls = io.stopControls();
  try {
    const prepared = await prepareFor(runId, step, options, io, controls.stop);
    try {
      if (options.mode === "in") return exitOf(await fanInStep(prepared.run, prepared.step));
      const output = join(tmpdir(), "output.txt");
      if (options.mode === "next") {
        await writeFile(output, String(await nextIterationStep(prepared.run, prepared.step)));
        return EXIT.success;
      }
      const fanned = await fanOutStep(prepared.run, prepared.step);
      const encode = prepared.capabilities.encodeMapItems;
      if (prepared.step.node.kind === "map" && encode) await writeFile(output, encode(fanned.items));
      if (fanned.output !== undefined) await writeFile(output, fanned.output);
      return exitOf(fanned.status);
    } finally {
      await prepared.dispose();
    }
  } finally {
    controls.dispose();
  }
}
