import { spawn } from "node:child_process";
import type { Command } from "commander";
import { RunnableError } from "../../core/errors.js";
import { openStoreAndCatalog } from "../../runtime/open-store.js";
import type { CliIo } from "../io.js";
import type { CommandContext } from "../program.js";

/** Options of `runnable ui`. */
export interface UiCommandOptions {
  port?: string;
  host?: string;
  configFile?: string;
  open?: boolean;
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 8765;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RunnableError("CLI_USAGE", `--port must be a whole number from 0 to 65535, not "${text}"`, {
      hint: "Use --port 0 for any free port.",
    });
  }
  return port;
}

function openBrowser(url: string, io: CliIo): void {
  const command = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  const child = spawn(command, [url], { detached: true, stdio: "ignore" });
  child.on("error", () => io.err(`could not start ${command}; open ${url} yourself\n`));
  child.unref();
}

/** Adds `runnable ui`. */
export function registerUi(program: Command, { io, withConfig, done }: CommandContext): void {
  withConfig(
    program
      .command("ui")
      .description("browse runs, metrics and comparisons in a local web app (read-only)")
      .option("--port <n>", "port to listen on (0 = any free port)", "8765")
      .option("--host <host>", "address to bind (default 127.0.0.1; any other needs the printed token)"),
  )
    .option("--open", "open the browser")
    .action(async (options: UiCommandOptions) => done(await uiCommand(options, io)));
}

/** `runnable ui`: serves the read-only run browser until interrupted. */
export async function uiCommand(options: UiCommandOptions, io: CliIo): Promise<number> {
  const port = parsePort(options.port);
  const warn = (message: string) => io.err(`warning: ${message}\n`);
  const { store, catalog } = await openStoreAndCatalog({ ...(options.configFile ? { configFile: options.configFile } : {}), cwd: io.cwd, env: io.env, warn });
  // The server (and what only it needs) loads only for this command.
  const { startUiServer } = await import("../../ui/server.js");
  const server = await startUiServer({ store, catalog, port, ...(options.host ? { host: options.host } : {}), warn }).catch((error: unknown) => {
    const code = (error as { code?: string }).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      throw new RunnableError("CLI_USAGE", `Cannot listen on ${options.host ?? "127.0.0.1"}:${port} (${code})`, {
        hint: "Choose another --port (0 picks a free one) or --host.",
      });
    }
    throw error;
  });
  io.out(`runnable ui: browsing the ${store.type} run log store and the ${catalog.type} catalog\n`);
  if (server.token) io.out(`access token: ${server.token} (needed because --host is not loopback)\n`);
  if (server.urls.length > 1) io.out(`listening on every interface (${options.host}); reachable from other machines at:\n`);
  for (const url of server.urls) io.out(`${url}\n`);
  if (options.open) openBrowser(server.url, io);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await server.close();
  return 0;
}
