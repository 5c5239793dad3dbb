import { InvalidArgumentError, Option } from "commander";

/** runnable's log levels (`--log-level`), most verbose first. */
export const LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "FATAL"] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Lines the CLI writes to stderr besides errors, filtered by `--log-level`. */
export interface CliLog {
  /** Shown at WARNING (the default) and below. */
  warn(message: string): void;
  /** Shown at INFO and DEBUG: what the run is working with (config, services, run id). */
  info(message: string): void;
  /** Shown at DEBUG only. */
  debug(message: string): void;
}

/** The `--log-level` option (runnable's choices, default WARNING); lower-case input is accepted too. */
export function logLevelOption(): Option {
  return new Option("--log-level <level>", "what else to print on stderr: DEBUG, INFO, WARNING (warnings; default), ERROR or FATAL (errors only)")
    .choices(LOG_LEVELS)
    .argParser((value: string) => {
      const level = value.toUpperCase();
      if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new InvalidArgumentError(`Allowed choices are ${LOG_LEVELS.join(", ")}.`);
      return level;
    });
}

/** A log writing to `err` the lines `level` lets through (errors are always printed by the CLI itself). */
export function createCliLog(level: string | undefined, err: (text: string) => void): CliLog {
  const rank = LOG_LEVELS.indexOf((level?.toUpperCase() ?? "WARNING") as LogLevel);
  const at = rank < 0 ? 2 : rank;
  return {
    warn: (message) => at <= 2 && err(`warning: ${message}\n`),
    info: (message) => at <= 1 && err(`info: ${message}\n`),
    debug: (message) => at <= 0 && err(`debug: ${message}\n`),
  } as CliLog;
}
