#!/usr/bin/env node
// The `runnable` command: a thin launcher for the CLI, bundled into one file at build time
// (`npm run build`) because loading one module is much faster than loading a few hundred.
import { main } from "../dist/cli/runnable.mjs";

process.exitCode = await main(process.argv.slice(2));
