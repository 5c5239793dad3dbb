#!/usr/bin/env node
// The `runnable` command: a thin launcher for the CLI, bundled into one file at build time
// (`npm run build`) because loading one module is much faster than loading a few hundred.
import { main } from "../dist/cli/runnable.mjs";

const code = await main(process.argv.slice(2));
process.exitCode = code;
// The command is over: what user code left behind (a stopped task's timers or sockets) must not keep
// the CLI alive. Exit once what was printed has been handed to the streams.
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
