import { RunnableError } from "../../core/errors.js";
import { RUN_ID_HINT, validateRunId } from "../../core/run-id.js";
import { openRunLogStore } from "../../runtime/open-store.js";
import type { CliIo } from "../io.js";
import { renderRunSummary } from "../run-summary.js";
import { printableDeep } from "../printable.js";
import { parseGoals } from "../../ui/metric-goals.js";
import { renderSweeps } from "./runs-sweep.js";

/** Options of `runnable runs show`. */
export interface RunsShowOptions {
  configFile?: string;
  json?: boolean;
  branches?: string;
  /** Sorts each sweep's items by this metric (`loss`, `loss:desc`). */
  sort?: string;
  /** Items shown per sweep (default 20, 0 = all). */
  items?: string;
  goal?: string[];
}

/** A run id given on the command line, refused before any store is opened when it cannot be one. */
export function checkRunIdArgument(runId: string): void {
  const problem = validateRunId(runId);
  if (problem) throw new RunnableError("CLI_USAGE", `invalid run id "${runId}": ${problem}`, { hint: RUN_ID_HINT });
}

/** `--branches` / `--items`: how many branches or items `runs show` lists per step (0 = none or all). */
function parseCount(text: string, option: string, hint: string): number {
  if (!/^\d+$/.test(text.trim())) throw new RunnableError("CLI_USAGE", `${option} must be a whole number ≥ 0, not "${text}"`, { hint });
  return Number(text);
}

/** `runnable runs show RUN_ID`: a readable summary (or the run log JSON with --json). */
export async function runsShowCommand(runId: string, options: RunsShowOptions, io: CliIo): Promise<number> {
  const branchLimit = options.branches === undefined ? 5 : parseCount(options.branches, "--branches", "e.g. --branches 20 (0 lists none; the default is 5)");
  const rows = options.items === undefined ? 20 : parseCount(options.items, "--items", "e.g. --items 50 (0 lists all; the default is 20)");
  const goals = parseGoals(options.goal);
  checkRunIdArgument(runId);
  const store = await openRunLogStore({ ...(options.configFile ? { configFile: options.configFile } : {}), cwd: io.cwd, env: io.env });
  const runLog = await store.get(runId);
  if (options.json) {
    io.out(`${JSON.stringify(runLog, null, 4)}\n`);
    return 0;
  }
  const lease = runLog.status === "PROCESSING" ? await store.leaseState(runId) : undefined;
  const sweeps = renderSweeps(printableDeep(runLog), { ...(options.sort ? { sort: options.sort } : {}), rows, goals });
  io.out(renderRunSummary(printableDeep(runLog), { color: io.isTTY, branchLimit, stale: lease?.state === "stale" }) + sweeps);
  return 0;
}
