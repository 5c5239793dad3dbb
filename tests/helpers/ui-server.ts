import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cliCommand, REPO } from "./cli.js";

/** A `runnable ui` process and the URL it printed. */
export interface UiProcess {
  url: string;
  /** The origin (`http://127.0.0.1:PORT`). */
  base: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the real `runnable ui --port 0` in `cwd` and waits for its URL. */
export async function startUi(cwd: string, args: string[] = []): Promise<UiProcess> {
  const command = cliCommand();
  const child: ChildProcess = spawn(command.program, [...command.args, "ui", "--port", "0", ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runnable ui printed no URL:\n${out}`)), 20_000);
    const check = () => {
      const found = /^(http:\/\/\S+)$/m.exec(out)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => reject(new Error(`runnable ui exited with ${code}:\n${out}`)));
  });
  return {
    url,
    base: new URL(url).origin,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Debian's Chromium (scripts/setup-browser.sh installs it). */
export const CHROMIUM = process.env.RUNNABLE_UI_BROWSER ?? "/usr/bin/chromium";

/** True when the browser tests can run. */
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** Chromium flags for headless runs here. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Where screenshots of the pages go (a test artifact, git-ignored). */
export const SCREENSHOTS = join(REPO, ".cache", "screenshots");
