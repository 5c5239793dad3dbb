import { readFileSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRunLog, runCli, scratchDir } from "./helpers/cli.js";
import { startCli } from "./helpers/processes.js";

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(() => cleanup());

const oneStep = (command: string, extra = "") =>
  `dag:\n  start_at: a\n  steps:\n    a:\n      type: task\n      command_type: shell\n      command: ${JSON.stringify(command)}\n${extra}      next: success\n`;

/** Peak resident memory of a running process, sampled until it exits (MB). */
function samplePeakRss(pid: number): () => number {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
      peak = Math.max(peak, kb / 1024);
    } catch {
      clearInterval(timer);
    }
  }, 25);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

describe("bounded output", () => {
  it("streams 300 MB without a newline to the execution log with the CLI's memory independent of the size", async () => {
    const bytes = 300 * 1024 * 1024;
    await writeFile(join(dir, "big.yaml"), oneStep(`head -c ${bytes} /dev/zero | tr '\\\\0' 'a'`));
    const cli = startCli(["execute", "-f", "big.yaml", "--run-id", "big-1"], { cwd: dir });
    const peak = samplePeakRss(cli.pid);
    const exit = await cli.exited;
    const peakMb = peak();
    expect(exit.code, exit.stderr).toBe(0);
    expect((await stat(join(dir, ".catalog/big-1/a.execution.log"))).size).toBe(bytes);
    expect(peakMb).toBeLessThan(150);
    const log = await readRunLog(dir, "big-1");
    expect(log.steps.a.status).toBe("SUCCESS");
    expect(log.steps.a.data_catalog[0]).toMatchObject({ name: "a.execution.log", data_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(exit.stdout.length).toBeLessThan(100_000);
  });

  it("shows a bounded number of lines live, then the last ones, and keeps every line in the log", async () => {
    await writeFile(join(dir, "lines.yaml"), oneStep('i=0; while [ $i -lt 5000 ]; do echo "line $i"; i=$((i+1)); done'));
    const result = await runCli(["execute", "-f", "lines.yaml", "--run-id", "lines-1"], { cwd: dir });
    expect(result.code).toBe(0);
    const shown = result.stdout.split("\n").filter((line) => /│ line \d+$/.test(line));
    expect(shown.length).toBeLessThanOrEqual(210);
    expect(shown[0]).toContain("line 0");
    expect(shown.at(-1)).toContain("line 4999");
    expect(result.stdout).toContain("lines not shown (full output: a.execution.log in the catalog)");
    const text = await readFile(join(dir, ".catalog/lines-1/a.execution.log"), "utf8");
    expect(text.trim().split("\n")).toHaveLength(5000);
  });

  it("masks a secret printed in pieces, in the log and on the terminal", async () => {
    await writeFile(join(dir, ".env"), "TOKEN=piece-by-piece-secret\n");
    await writeFile(join(dir, "dotenv.yaml"), "secrets:\n  type: dotenv\n  config:\n    location: .env\n");
    const command = "printf 'token is piece-by-'; sleep 0.2; printf 'piece-sec'; sleep 0.2; printf 'ret; done\\n'";
    await writeFile(join(dir, "pieces.yaml"), oneStep(command, "      secrets:\n        - TOKEN\n"));
    const result = await runCli(["execute", "-f", "pieces.yaml", "-c", "dotenv.yaml", "--run-id", "pieces-1"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const text = await readFile(join(dir, ".catalog/pieces-1/a.execution.log"), "utf8");
    expect(text).toBe("token is ***; done\n");
    expect(result.stdout).toContain("token is ***; done");
    expect(result.stdout + result.stderr).not.toContain("piece-by-piece-secret");
  });
});
