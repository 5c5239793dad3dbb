import { messageOf } from "../core/errors.js";
import type { TaskNode } from "../core/graph.js";
import { executionLogName } from "../core/names.js";
import type { DataCatalog, StepLog } from "../core/run-log.js";
import type { ContentWriter } from "../ports/catalog.js";
import { ExecutionLog } from "./execution-log.js";
import type { BranchContext, RunState } from "./run-state.js";

/** A step's execution log while the step runs. */
export interface StepOutput {
  log: ExecutionLog;
  name: string;
  writer: ContentWriter;
}

/** A writer that keeps nothing (when the catalog cannot take the log, the run still goes on). */
function discarding(): ContentWriter {
  let bytes = 0;
  return {
    get bytes() {
      return bytes;
    },
    write: (chunk) => void (bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length),
    commit: async () => [],
    abort: async () => undefined,
  };
}

/** Opens the execution log of a task step: streamed to the catalog, shown live within a budget. */
export async function openExecutionLog(run: RunState, node: TaskNode, ctx: BranchContext, log: StepLog): Promise<StepOutput> {
  const name = executionLogName(node.internalName, ctx.mapVariable, ctx.loops);
  let writer: ContentWriter;
  try {
    writer = await run.services.catalog.createContent(name, run.plan.runId);
  } catch (error) {
    run.services.warn(`could not store the execution log ${name}: ${messageOf(error)}`);
    writer = discarding();
  }
  const internalName = log.internal_name;
  const onEvent = run.services.onEvent;
  const executionLog = new ExecutionLog(writer, () => run.secretValues, {
    line: (stream, text) => onEvent?.({ type: "task-output", internalName, stream, text }),
    truncated: (shownLines) => onEvent?.({ type: "output-truncated", internalName, shownLines }),
  });
  return { log: executionLog, name, writer };
}

/** Commits the execution log to the catalog; returns its record (none when it could not be stored). */
export async function closeExecutionLog(run: RunState, output: StepOutput, log: StepLog): Promise<DataCatalog[]> {
  output.log.flush();
  const ending = output.log.ending();
  if (ending.omittedLines > 0) {
    run.services.onEvent?.({
      type: "output-tail",
      internalName: log.internal_name,
      lines: ending.lines,
      omittedLines: ending.omittedLines,
      logName: output.name,
    });
  }
  try {
    return await output.writer.commit();
  } catch (error) {
    run.services.warn(`could not store the execution log ${output.name}: ${messageOf(error)}`);
    await output.writer.abort().catch(() => undefined);
    return [];
  }
}
