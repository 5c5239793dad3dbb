import pc from "picocolors";
import type { RunEvent } from "../engine/services.js";

/** How the CLI shows a run while it goes. */
export interface ProgressOptions {
  /** Live, coloured, redrawn lines (a terminal) or plain lines (pipes, CI). */
  tty: boolean;
  /** Show task output (stdout/stderr) under its step. */
  showOutput: boolean;
  /** Only the task's output lines, as they are (a step's process in a container: its host shows the rest). */
  outputOnly?: boolean;
  write: (text: string) => void;
}

/** Lines about steps inside branches shown before only failures are (a 10,000-item map stays readable). */
const BRANCH_LINE_BUDGET = 60;

const ms = (value: number): string => (value < 1000 ? `${value.toFixed(0)} ms` : `${(value / 1000).toFixed(2)} s`);

/** Returns an event listener printing step progress: live on a terminal, plain lines otherwise. */
export function createProgress(options: ProgressOptions): (event: RunEvent) => void {
  const { write, tty } = options;
  const color = tty ? pc : pc.createColors(false);
  let openLine: string | undefined;
  let branchLines = 0;
  const started = new Set<string>();
  let hiddenNoted = false;
  /** False for a routine line about a step inside a branch once the budget is spent. */
  const shown = (depth: number, failed: boolean): boolean => {
    if (depth === 0 || failed) return true;
    if (++branchLines <= BRANCH_LINE_BUDGET) return true;
    if (!hiddenNoted) {
      hiddenNoted = true;
      line(color.dim("  … further branch steps are not shown (failures still are); see `runnable runs show`"));
    }
    return false;
  };
  const status = (s: string): string => (s === "SUCCESS" ? color.green(s) : s === "FAIL" ? color.red(s) : color.yellow(s));
  const line = (text: string): void => {
    // A step line left open (a terminal, waiting for its end) is finished before anything else prints.
    if (openLine !== undefined) write("\n");
    openLine = undefined;
    write(`${text}\n`);
  };
  if (options.outputOnly) {
    return (event) => {
      if (event.type === "task-output") write(`${event.text}\n`);
      if (event.type === "attempt-end" && event.status === "FAIL") write(`attempt ${event.attempt} failed: ${event.message}\n`);
    };
  }
  return (event) => {
    switch (event.type) {
      case "run-start":
        return line(`${color.bold(event.resumed ? "retry" : "run")} ${event.runId}`);
      case "run-stopping":
        return line(
          color.yellow(
            `stopping ${event.runId}: ${event.reason.kind === "signal" ? `${event.reason.signal} received` : "stop requested"}; running steps are being stopped`,
          ),
        );
      case "output-truncated":
        if (options.showOutput) line(`    ${color.dim("│")} ${color.dim(`… more output than ${event.shownLines} lines: the rest goes to the execution log`)}`);
        return;
      case "output-tail":
        if (!options.showOutput) return;
        line(`    ${color.dim("│")} ${color.dim(`… ${event.omittedLines} lines not shown (full output: ${event.logName} in the catalog); the last ones:`)}`);
        for (const text of event.lines) line(`    ${color.dim("│")} ${text}`);
        return;
      case "step-start":
        if (!shown(event.depth, false)) return;
        if (event.depth > 0) started.add(event.internalName);
        if (!tty) return line(`  start   ${event.internalName} (${event.kind})`);
        if (openLine !== undefined) write("\n");
        openLine = event.internalName;
        return write(`  ${color.cyan("…")} ${event.internalName}`);
      case "attempt-end":
        if (event.status === "FAIL") line(`  ${color.red("attempt")} ${event.attempt} of ${event.internalName} failed: ${event.message}`);
        return;
      case "task-output":
        if (options.showOutput) line(`    ${color.dim("│")} ${event.text}`);
        return;
      case "step-end": {
        if (event.skipped) {
          if (!shown(event.depth, false)) return;
          return line(
            `  ${color.dim(`↷ ${event.internalName} (${event.skipped === "cached" ? "succeeded in the original run: not run again" : "succeeded before: kept"})`)}`,
          );
        }
        if (event.depth > 0 && !started.delete(event.internalName) && event.status === "SUCCESS") return;
        const why =
          event.status === "FAIL" && event.message && ["parallel", "map", "dag", "conditional", "loop"].includes(event.kind)
            ? color.dim(`: ${event.message}`)
            : "";
        const text = `${status(event.status)} ${event.internalName} ${color.dim(`(${ms(event.durationMs)})`)}${why}`;
        if (tty && openLine === event.internalName) {
          openLine = undefined;
          return write(`\r\x1b[2K  ${event.status === "SUCCESS" ? color.green("✔") : color.red("✖")} ${text}\n`);
        }
        return line(`  ${tty ? (event.status === "SUCCESS" ? color.green("✔") : color.red("✖")) : "end    "} ${text}`);
      }
      case "run-end":
        return line(`${color.bold("run")} ${event.runId} ${status(event.status)}${event.stopped ? color.yellow(" (stopped)") : ""}`);
    }
  };
}
