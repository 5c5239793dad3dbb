import { type Command, Command as CommanderCommand, Option } from "commander";
import { RunnableError } from "../core/errors.js";
import type { CliIo } from "./io.js";

/** What every command module gets to add its commands: the world it may touch and where its exit code goes. */
export interface CommandContext {
  io: CliIo;
  /** `--verbose` was given (errors print their stack). */
  verbose: boolean;
  /** Adds `-c, --config-file <file>` and its runnable 0.50 name `--config <file>` to a command. */
  withConfig(command: Command): Command;
  /** Records the exit code of the command that ran. */
  done(code: number): void;
}

/**
 * Options known under two long names: today's (February-2024 runnable's) and runnable 0.50's. The
 * alias is an option of its own (so `--help` shows both); before the action runs its value moves to
 * the canonical option, and giving both is a usage error.
 */
const ALIASES = [
  { alias: "config", canonical: "configFile", aliasFlag: "--config", canonicalFlag: "-c/--config-file" },
  { alias: "parameters", canonical: "parametersFile", aliasFlag: "--parameters", canonicalFlag: "-p/--parameters-file" },
] as const;

function mergeAliases(_program: Command, action: Command): void {
  for (const { alias, canonical, aliasFlag, canonicalFlag } of ALIASES) {
    const value = action.getOptionValue(alias) as string | undefined;
    if (value === undefined) continue;
    if (action.getOptionValue(canonical) !== undefined) {
      throw new RunnableError("CLI_USAGE", `${aliasFlag} and ${canonicalFlag} are two names of one option, and both were given`, {
        hint: `give it once: ${aliasFlag} is runnable 0.50's name, ${canonicalFlag} February-2024 runnable's`,
      });
    }
    action.setOptionValue(canonical, value);
    action.setOptionValue(alias, undefined);
  }
}

/** The `runnable` program without its commands: name, version, `--verbose`, output through `io`, errors returned instead of exiting. */
export function createProgram(io: CliIo): Command {
  return new CommanderCommand("runnable")
    .description("Run pipelines (runnable-compatible YAML or TypeScript) and inspect their run logs")
    .version("0.1.0")
    .option("--verbose", "print stack traces of errors")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showSuggestionAfterError(true)
    .showHelpAfterError("hint: `runnable --help` lists the commands, `runnable <command> --help` their options")
    .hook("preAction", mergeAliases);
}

/** Adds the services configuration options every command that reads the config takes: `-c, --config-file` and `--config`. */
export function withConfig(command: Command): Command {
  return command
    .addOption(new Option("-c, --config-file <file>", "services configuration (default: $RUNNABLE_CONFIGURATION_FILE, else runnable-config.yaml)"))
    .addOption(new Option("--config <file>", "the same as -c/--config-file (runnable 0.50's name)"));
}

/** Adds `-p, --parameters-file <file>` and its runnable 0.50 name `--parameters <file>`. */
export function withParameters(command: Command, description = "initial parameters (YAML; default: $RUNNABLE_PARAMETERS_FILE)"): Command {
  return command
    .addOption(new Option("-p, --parameters-file <file>", description))
    .addOption(new Option("--parameters <file>", "the same as -p/--parameters-file (runnable 0.50's name)"));
}
