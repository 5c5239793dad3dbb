import { Command, Option } from "commander";
import type { CliIo } from "./io.js";

/** What every command module gets to add its commands: the world it may touch and where its exit code goes. */
export interface CommandContext {
  io: CliIo;
  /** `--verbose` was given (errors print their stack). */
  verbose: boolean;
  /** A `-c, --config-file` option for one command. */
  configOption(): Option;
  /** Records the exit code of the command that ran. */
  done(code: number): void;
}

/** The `runnable` program without its commands: name, version, `--verbose`, output through `io`, errors returned instead of exiting. */
export function createProgram(io: CliIo): Command {
  return new Command("runnable")
    .description("Run pipelines (runnable-compatible YAML or TypeScript) and inspect their run logs")
    .version("0.1.0")
    .option("--verbose", "print stack traces of errors")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showSuggestionAfterError(true)
    .showHelpAfterError("hint: `runnable --help` lists the commands, `runnable <command> --help` their options");
}

/** The `-c, --config-file` option every command that reads the services config takes. */
export const configOption = (): Option => new Option("-c, --config-file <file>", "services configuration (default: $RUNNABLE_CONFIGURATION_FILE)");
