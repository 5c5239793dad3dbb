import { type Command, Option } from "commander";
import { logLevelOption } from "../log-level.js";
import { type CommandContext, withParameters } from "../program.js";
import { executeSingleNodeCommand, fanCommand } from "./step.js";

/** The options every step entry point takes (runnable's `execute_single_node` / `fan` shapes). */
function withStepOptions(command: Command, withConfig: CommandContext["withConfig"]): Command {
  const options = command
    .option("--map-variable <json>", "the enclosing maps' items as a JSON object, outermost first", "")
    .option("-f, --file <file>", "pipeline definition (default: the one the run recorded)");
  return withParameters(withConfig(options), "initial parameters (YAML), used when this step creates the run log")
    .option("--tag <tag>", "label of the run")
    .addOption(logLevelOption());
}

/**
 * `execute-single-node` (also runnable's `execute_single_node`) and `fan`: the entry points a pod or
 * container calls to run one step of a run. STEP_NAME is the internal name with `%` for spaces.
 */
export function registerSteps(program: Command, { io, withConfig, done }: CommandContext): void {
  for (const name of ["execute-single-node", "execute_single_node"]) {
    const command = program.command(`${name} <run-id> <step-name>`, { hidden: name !== "execute-single-node" });
    command
      .option("--map-variables-file <file>", "a JSON array of chunks of map-variable objects: run the step for each item of one chunk in turn")
      .option("--chunk <index>", "the chunk of --map-variables-file to run (default 0)");
    withStepOptions(command.description("run one step of a run (what a container or an Argo pod calls); exit 1 when it failed"), withConfig).action(
      async (runId: string, step: string, options) => done(await executeSingleNodeCommand(runId, step, options, io)),
    );
  }
  const fan = program
    .command("fan <run-id> <step-name>")
    .description("fan a parallel, map or dag step out (create its branch logs) or in (its status from them)");
  withStepOptions(fan.addOption(new Option("-m, --mode <mode>", "out or in (next: after a loop's iteration)").makeOptionMandatory()), withConfig).action(
    async (runId: string, step: string, options) => done(await fanCommand(runId, step, options, io)),
  );
}
