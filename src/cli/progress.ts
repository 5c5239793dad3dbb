import pc from "picocolors";
import type { RunEvent } from "../engine/services.js";

/** How the CLI shows a run while it goes. */
export interface ProgressOptions {
  /** Live, coloured, redrawn lines (a terminal) or plain lines (pipes, CI). */
  tty: boolean;
  /** Show task output (stdout/stderr) under its step. */
  showOutput: boolean;
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
  return (event) => {
    switch (event.type) {
      case "run-start":
        return line(`${color.bold("run")} ${event.runId}`);
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
        if (event.depth > 0 && !started.delete(event.internalName) && event.status === "SUCCESS") return;
        const text = `${status(event.status)} ${event.internalName} ${color.dim(`(${ms(event.durationMs)})`)}`;
        if (tty && openLine === event.internalName) {
          openLine = undefined;
          return write(`\r\x1b[2K  ${event.status === "SUCCESS" ? color.green("✔") : color.red("✖")} ${text}\n`);
        }
        return line(`  ${tty ? (event.status === "SUCCESS" ? color.green("✔") : color.red("✖")) : "end    "} ${text}`);
      }
      case "run-end":
        return line(`${color.bold("run")} ${event.runId} ${status(event.status)}`);
    }
  };
}
