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

type Colors = ReturnType<typeof pc.createColors>;
type EventOf<T extends RunEvent["type"]> = Extract<RunEvent, { type: T }>;

/** What a progress listener remembers between events. */
interface Printer {
  write: (text: string) => void;
  tty: boolean;
  showOutput: boolean;
  color: Colors;
  /** A step line left open on a terminal, waiting for its end. */
  openLine: string | undefined;
  branchLines: number;
  /** Steps inside branches whose start was shown (their end is shown too). */
  started: Set<string>;
  hiddenNoted: boolean;
}

/** Returns an event listener printing step progress: live on a terminal, plain lines otherwise. */
export function createProgress(options: ProgressOptions): (event: RunEvent) => void {
  const { write, tty } = options;
  if (options.outputOnly) {
    return (event) => {
      if (event.type === "task-output") write(`${event.text}\n`);
      if (event.type === "attempt-end" && event.status === "FAIL") write(`attempt ${event.attempt} failed: ${event.message}\n`);
    };
  }
  const printer: Printer = {
    write,
    tty,
    showOutput: options.showOutput,
    color: tty ? pc : pc.createColors(false),
    openLine: undefined,
    branchLines: 0,
    started: new Set(),
    hiddenNoted: false,
  };
  return (event) => print(printer, event);
}

function print(p: Printer, event: RunEvent) {
  const { color } = p;
  switch (event.type) {
    case "run-start":
      return line(p, `${color.bold(event.resumed ? "retry" : "run")} ${event.runId}`);
    case "run-stopping": {
      const why = event.reason.kind === "signal" ? `${event.reason.signal} received` : "stop requested";
      return line(p, color.yellow(`stopping ${event.runId}: ${why}; running steps are being stopped`));
    }
    case "output-truncated":
      if (p.showOutput) line(p, `    ${color.dim("│")} ${color.dim(`… more output than ${event.shownLines} lines: the rest goes to the execution log`)}`);
      return;
    case "output-tail":
      if (!p.showOutput) return;
      line(p, `    ${color.dim("│")} ${color.dim(`… ${event.omittedLines} lines not shown (full output: ${event.logName} in the catalog); the last ones:`)}`);
      for (const text of event.lines) line(p, `    ${color.dim("│")} ${text}`);
      return;
    case "step-start":
      return stepStart(p, event);
    case "attempt-end":
      if (event.status === "FAIL") line(p, `  ${color.red("attempt")} ${event.attempt} of ${event.internalName} failed: ${event.message}`);
      return;
    case "task-output":
      if (p.showOutput) line(p, `    ${color.dim("│")} ${event.text}`);
      return;
    case "step-end":
      return stepEnd(p, event);
    case "run-end":
      return line(p, `${color.bold("run")} ${event.runId} ${status(p, event.status)}${event.stopped ? color.yellow(" (stopped)") : ""}`);
  }
}

function stepStart(p: Printer, event: EventOf<"step-start">) {
  if (!shown(p, event.depth, false)) return;
  if (event.depth > 0) p.started.add(event.internalName);
  if (!p.tty) return line(p, `  start   ${event.internalName} (${event.kind})`);
  if (p.openLine !== undefined) p.write("\n");
  p.openLine = event.internalName;
  p.write(`  ${p.color.cyan("…")} ${event.internalName}`);
}

function stepEnd(p: Printer, event: EventOf<"step-end">) {
  const { color } = p;
  if (event.skipped) {
    if (!shown(p, event.depth, false)) return;
    const why = event.skipped === "cached" ? "succeeded in the original run: not run again" : "succeeded before: kept";
    return line(p, `  ${color.dim(`↷ ${event.internalName} (${why})`)}`);
  }
  if (event.depth > 0 && !p.started.delete(event.internalName) && event.status === "SUCCESS") return;
  const why =
    event.status === "FAIL" && event.message && ["parallel", "map", "dag", "conditional", "loop"].includes(event.kind) ? color.dim(`: ${event.message}`) : "";
  const text = `${status(p, event.status)} ${event.internalName} ${color.dim(`(${ms(event.durationMs)})`)}${why}`;
  const mark = event.status === "SUCCESS" ? color.green("✔") : color.red("✖");
  if (p.tty && p.openLine === event.internalName) {
    p.openLine = undefined;
    return p.write(`\r\x1b[2K  ${mark} ${text}\n`);
  }
  line(p, `  ${p.tty ? mark : "end    "} ${text}`);
}

/** False for a routine line about a step inside a branch once the budget is spent. */
function shown(p: Printer, depth: number, failed: boolean): boolean {
  if (depth === 0 || failed) return true;
  if (++p.branchLines <= BRANCH_LINE_BUDGET) return true;
  if (!p.hiddenNoted) {
    p.hiddenNoted = true;
    line(p, p.color.dim("  … further branch steps are not shown (failures still are); see `runnable runs show`"));
  }
  return false;
}

const status = (p: Printer, s: string): string => (s === "SUCCESS" ? p.color.green(s) : s === "FAIL" ? p.color.red(s) : p.color.yellow(s));

function line(p: Printer, text: string): void {
  // A step line left open (a terminal, waiting for its end) is finished before anything else prints.
  if (p.openLine !== undefined) p.write("\n");
  p.openLine = undefined;
  p.write(`${text}\n`);
}
