import type { Command } from "commander";
import { logLevelOption } from "../log-level.js";
import type { CommandContext } from "../program.js";
import { runsShowCommand } from "./runs.js";
import { runsListCommand } from "./runs-list.js";
import { runsCompareCommand } from "./runs-compare.js";
import { runsDeleteCommand, runsGcCommand } from "./runs-delete.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Adds `runnable runs list|show|compare|delete|gc`: the recorded runs of the configured store. */
export function registerRuns(program: Command, { io, withConfig, done }: CommandContext): void {
  const runs = program.command("runs").description("inspect recorded runs");
  withConfig(runs.command("list").description("list runs in the run log store, newest first"))
    .addOption(logLevelOption())
    .option("--status <status>", "only runs with this status (SUCCESS, FAIL, PROCESSING, STALE, ...)")
    .option("--tag <tag>", "only runs with this tag")
    .option("--limit <n>", "at most this many runs")
    .option("--sort <metric>", "order by a final metric, best first (`loss`, `accuracy:desc`, `params.lr:asc`)")
    .option("--filter <expr>", "only runs whose final metrics/parameters match, e.g. 'loss<0.2 and params.lr>=0.01'")
    .option("--goal <metric=min|max>", "whether lower or higher is better for a metric (default from its name)", collect, [])
    .option("--json", "print JSON")
    .action(async (options) => done(await runsListCommand(options, io)));
  withConfig(runs.command("show <run-id>").description("summarise a run: steps, statuses, attempts, durations, parameters, catalog"))
    .addOption(logLevelOption())
    .option("--json", "print the whole run log JSON")
    .option("--branches <n>", "branches shown per composite step (default 5)")
    .option("--sort <metric>", "order each map's items by a final metric, best first (`loss`, `accuracy:desc`)")
    .option("--items <n>", "items shown per map in its sweep table (default 20, 0 = all)")
    .option("--goal <metric=min|max>", "whether lower or higher is better for a metric (default from its name)", collect, [])
    .action(async (runId: string, options) => done(await runsShowCommand(runId, options, io)));
  withConfig(
    runs
      .command("compare <run-ids...>")
      .description("compare two or more runs: parameters (differences marked), final metrics, map items by iterate value, step durations"),
  )
    .option("--goal <metric=min|max>", "whether lower or higher is better for a metric (default from its name)", collect, [])
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
