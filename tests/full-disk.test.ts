// Issue 19, item 6: a disk that fills up during a run, at ten different moments (a step fills a small
// tmpfs with more or less, so the journal, the compaction or the final status is what meets the full
// disk). The probe's "full disk" section, re-run: no torn journal line, and the CLI's exit code and
// message agree with what the run log says.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IS_ROOT, mountTmpfs } from "./helpers/bad-input.js";
import { runCli } from "./helpers/cli.js";

const STEPS = 40;
/** Each step adds a 3 KB parameter, so journal lines grow; step 20 fills the disk with `$FILL` bytes. */
const pipeline = (): string => {
  const steps = Array.from({ length: STEPS }, (_, i) => {
    const fill = i === 20 ? "head -c $FILL /dev/zero > disk/filler 2>/dev/null; " : "";
    const command = `${fill}export big_${i}=$(head -c 3000 /dev/zero | tr '\\\\0' y)`;
    return `    s${i}:\n      type: task\n      command_type: shell\n      command: ${JSON.stringify(command)}\n      next: ${i < STEPS - 1 ? `s${i + 1}` : "success"}\n`;
  });
  return `dag:\n  start_at: s0\n  steps:\n${steps.join("")}`;
};

describe.skipIf(!IS_ROOT)("a full disk under the file-system store (tmpfs of 320 KB; mounting needs root)", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "runnable-full-disk-"));
    await writeFile(join(dir, "p.yaml"), pipeline());
    await writeFile(join(dir, "c.yaml"), "run_log_store:\n  type: file-system\n  config:\n    log_folder: disk/logs\ncatalog:\n  type: do-nothing\n");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const FILLS = [0, 120_000, 150_000, 170_000, 190_000, 210_000, 230_000, 250_000, 270_000, 300_000];
  it.each(FILLS)(
    "filling %i bytes mid-run: no torn journal line; exit code and message agree with the run log; retry finishes it",
    async (fill) => {
      const umount = await mountTmpfs(join(dir, "disk"), "size=320k");
      try {
        const result = await runCli(["execute", "-f", "p.yaml", "-c", "c.yaml", "--run-id", "full", "-q"], { cwd: dir, env: { FILL: String(fill) } });
        const output = result.stdout + result.stderr;
        expect(output).not.toContain("internal error");
        const journal = join(dir, "disk/logs/full.journal.jsonl");
        if (existsSync(journal)) {
          const text = await readFile(journal, "utf8");
          if (text.length > 0) expect(text.endsWith("\n"), "the journal ends in a torn line").toBe(true);
          for (const line of text.split("\n").filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
        }
        const shown = await runCli(["runs", "show", "full", "-c", "c.yaml", "--json"], { cwd: dir });
        expect(shown.code, shown.stderr).toBe(0);
        const status = JSON.parse(shown.stdout).status as string;
        if (result.code === 0) {
          expect(status).toBe("SUCCESS");
        } else {
          expect(result.code).toBe(1);
          expect(status).not.toBe("SUCCESS");
          expect(output).toMatch(/could not be written/);
          expect(output).toContain("runnable retry full");
          await rm(join(dir, "disk/filler"), { force: true });
          const retried = await runCli(["retry", "full", "-c", "c.yaml", "-q"], { cwd: dir });
          expect(retried.code, retried.stdout + retried.stderr).toBe(0);
          expect(JSON.parse((await runCli(["runs", "show", "full", "-c", "c.yaml", "--json"], { cwd: dir })).stdout).status).toBe("SUCCESS");
        }
      } finally {
        await umount();
      }
    },
    60_000,
  );
});
