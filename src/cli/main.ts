import { CommanderError } from "commander";
import { registerExecute } from "./commands/execute.js";
import { registerJobs } from "./commands/jobs.js";
import { registerRetry } from "./commands/retry.js";
import { registerRuns } from "./commands/runs-commands.js";
import { registerSchema } from "./commands/schema.js";
import { registerSteps } from "./commands/step-commands.js";
import { registerUi } from "./commands/ui.js";
import { registerValidate } from "./commands/validate.js";
import { closable, type CliIo } from "./io.js";
import { type CommandContext, createProgram, withConfig } from "./program.js";
import { EXIT, reportError } from "./report-error.js";
import { signalStop } from "./signals.js";

function defaultIo(): CliIo {
  const err = closable(process.stderr);
  return {
    cwd: process.cwd(),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
    out: closable(process.stdout),
    err,
    stopControls: () => signalStop(err),
    stdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}

/** Every command module, in the order `runnable --help` lists their commands. */
const COMMANDS = [registerExecute, registerRetry, registerJobs, registerSteps, registerRuns, registerUi, registerValidate, registerSchema];

/** Runs the `runnable` command line; returns the exit code (0 ok, 1 run failed, 2 bad input). */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let code: number = EXIT.success;
  const verbose = argv.includes("--verbose");
  const program = createProgram(io);
  const context: CommandContext = { io, verbose, withConfig, done: (result) => (code = result) };
  for (const register of COMMANDS) register(program, context);
  try {
    // --verbose is accepted anywhere on the line (it only changes how errors print).
    // runnable's `-put` (a multi-letter short option, which commander has not) is --put-in-catalog
    const args = argv.filter((a) => a !== "--verbose").map((a) => (a === "-put" ? "--put-in-catalog" : a));
    await program.parseAsync(args, { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.success : EXIT.badInput;
    return reportError(error, verbose, io.err);
  }
}
