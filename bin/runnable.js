#!/usr/bin/env node
// The `runnable` command: a thin launcher for the CLI, bundled into one file at build time
// (`npm run build`) because loading one module is much faster than loading a few hundred.
// The Node.js version is checked before the bundle loads (a dynamic import): on an older Node.js the
// bundle would fail with a syntax or API error that says nothing about why.
const major = Number(process.versions.node.split(".")[0]);
if (major < 20) {
  process.stderr.write(
    `runnable-ts needs Node.js 20 or newer; ${process.execPath} is ${process.version}.\n` +
      "Install Node.js 20+ (https://nodejs.org/en/download, or your system's nodejs package when it is 20+) and put it first on PATH.\n",
  );
  process.exit(2);
}
const { main } = await import("../dist/cli/runnable.mjs");
const code = await main(process.argv.slice(2));
process.exitCode = code;
// The command is over: what user code left behind (a stopped task's timers or sockets) must not keep
// the CLI alive. Exit once what was printed has been handed to the streams.
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
