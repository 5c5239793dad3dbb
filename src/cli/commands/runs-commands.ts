import type { Command } from "commander";
import { logLevelOption } from "../log-level.js";
import type { CommandContext } from "../program.js";
import { runsListCommand, runsShowCommand } from "./runs.js";
import { runsCompareCommand } from "./runs-compare.js";
import { runsDeleteCommand, runsGcCommand } from "./runs-delete.js";

/** Adds `runnable runs list|show|compare|delete|gc`: the recorded runs of the configured store. */
export function registerRuns(program: Command, { io, withConfig, done }: CommandContext): void {
  const runs = program.command("runs").description("inspect recorded runs");
  withConfig(runs.command("list").description("list runs in the run log store, newest first"))
    .addOption(logLevelOption())
    .option("--status <status>", "only runs with this status (SUCCESS, FAIL, PROCESSING, STALE, ...)")
    .option("--tag <tag>", "only runs with this tag")
    .option("--limit <n>", "at most this many runs")
    .option("--json", "print JSON")
    .action(async (options) => done(await runsListCommand(options, io)));
  withConfig(runs.command("show <run-id>").description("summarise a run: steps, statuses, attempts, durations, parameters, catalog"))
    .addOption(logLevelOption())
    .option("--json", "print the whole run log JSON")
    .option("--branches <n>", "branches shown per composite step (default 5)")
    .action(async (runId: string, options) => done(await runsShowCommand(runId, options, io)));
  withConfig(runs.command("compare <run-ids...>").description("compare two or more runs: parameters (differences marked), final metrics, step durations"))
    .option("--json", "print JSON")
    .action(async (runIds: string[], options) => done(await runsCompareCommand(runIds, options, io)));
  withConfig(runs.command("delete <run-ids...>").description("delete runs and their catalog folders (refuses runs still in progress)")).action(
    async (runIds: string[], options) => done(await runsDeleteCommand(runIds, options, io)),
  );
  withConfig(
    runs
      .command("gc")
      .description("delete runs last changed longer ago than a duration, with their catalog folders")
      .requiredOption("--older-than <duration>", "e.g. 30d, 12h, 1d12h, 90m, 2w")
      .option("--dry-run", "only list what would be deleted"),
  ).action(async (options) => done(await runsGcCommand(options, io)));
}
