import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REPO, runCli, scratchDir } from "./helpers/cli.js";
import { CHROMIUM, CHROMIUM_ARGS, HAVE_CHROMIUM, SCREENSHOTS, type UiProcess, startUi } from "./helpers/ui-server.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

// The run browser's views of runnable 0.50's control steps, end to end: a run made by the real CLI,
// the real `runnable ui` server, real Chromium.

let dir = "";
let cleanup: () => Promise<void> = async () => undefined;
let ui: UiProcess;
let browser: Browser;
let page: Page;

describeNeeding(NEEDS.chromium, !HAVE_CHROMIUM && `no browser at ${CHROMIUM}`)("conditional and loop steps in the run browser (Chromium)", () => {
  beforeAll(async () => {
    ({ dir, cleanup } = await scratchDir());
    await symlink(join(REPO, "tests"), join(dir, "tests"));
    const result = await runCli(["execute", "-q", "-f", "tests/fixtures/ui/control.yaml", "--run-id", "control-1"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    ui = await startUi(dir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    await cleanup();
  });

  it("draws the conditional's branch not taken greyed out and the loop with its iterations", async () => {
    await page.goto(`${ui.base}/#/run/control-1`);
    const node = (name: string) => page.locator(`[data-testid="graph-node"][data-name="${name}"]`);
    await expect.poll(() => node("pick").getAttribute("data-status")).toBe("SUCCESS");
    const branch = (name: string) => node("pick").locator(`[data-testid="graph-branch"][data-name="${name}"]`);
    expect(await branch("heads").getAttribute("data-taken")).toBe("no");
    expect(await branch("tails").getAttribute("data-taken")).toBe("yes");
    expect(
      Number(
        await branch("heads").evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { opacity: string } }).getComputedStyle(el).opacity),
      ),
    ).toBeLessThan(0.5);
    expect(await branch("heads").locator(".branch-title").textContent()).toBe("heads  (not taken)");
    expect(await node("call tails").getAttribute("data-status")).toBe("SUCCESS");
    expect(await node("call heads").getAttribute("data-status")).toBe("none");
    expect(await node("train").locator(':scope > [data-testid="node-sub"]').textContent()).toBe("4 iterations  4 ✓");
    expect(await node("epoch").locator(':scope > [data-testid="node-sub"]').textContent()).toContain("4 ✓");
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "run-control.png"), fullPage: true });
  });

  it("charts the loss tracked in every iteration as one series by iteration", async () => {
    await page.goto(`${ui.base}/#/run/control-1?tab=metrics`);
    const chart = page.locator('[data-testid="chart"]');
    await expect.poll(() => chart.getAttribute("data-points")).toBe("4");
    const values = await page
      .locator('[data-testid="chart-values"] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    expect(values).toEqual([
      ["loss by iteration", "0", "1"],
      ["loss by iteration", "1", "0.5"],
      ["loss by iteration", "2", "0.333333"],
      ["loss by iteration", "3", "0.25"],
    ]);
    await page.screenshot({ path: join(SCREENSHOTS, "run-control-metrics.png"), fullPage: true });
  });
});
