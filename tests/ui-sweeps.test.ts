import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, runCli, scratchDir } from "./helpers/cli.js";
import { CHROMIUM, CHROMIUM_ARGS, HAVE_CHROMIUM, SCREENSHOTS, type UiProcess, startUi } from "./helpers/ui-server.js";

// Issue 20 in the run browser: a map's items as a sweep (table and charts), runs sorted and filtered
// by metrics, items compared across runs, and the details the trial found (labelled columns, rounded
// numbers, whole-number steps, "(SDK)" pipelines, the list's "as of").

let dir = "";
let cleanup: () => Promise<void> = async () => undefined;
let ui: UiProcess;
let browser: Browser;
let page: Page;

async function execute(args: string[]): Promise<void> {
  const result = await runCli(["execute", "-q", ...args], { cwd: dir });
  expect(result.stderr.includes("error:") ? result.stderr : "").toBe("");
}

const shot = async (name: string) => {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
};
const rowIds = () => page.locator('[data-testid="run-row"]').evaluateAll((els) => els.map((el) => el.getAttribute("data-run-id")));
const items = () => page.locator('[data-testid="sweep-row"]').evaluateAll((els) => els.map((el) => el.getAttribute("data-item")));

describe.skipIf(!HAVE_CHROMIUM)("sweeps in the run browser (Chromium)", () => {
  beforeAll(async () => {
    ({ dir, cleanup } = await scratchDir());
    await symlink(join(REPO, "tests"), join(dir, "tests"));
    await writeFile(join(dir, "a.yaml"), "lr: 0.5\nrates: [0.3, 0.1, 0.03]\n");
    await writeFile(join(dir, "b.yaml"), "lr: 0.7\nrates: [0.3, 0.1, 0.01]\n");
    await execute(["-f", "tests/fixtures/ui/sweep.yaml", "-p", "a.yaml", "--run-id", "sweep-a"]);
    await execute(["-f", "tests/fixtures/ui/sweep.yaml", "-p", "b.yaml", "--run-id", "sweep-b"]);
    const sdk = `import { pipeline, typescript } from ${JSON.stringify(join(REPO, "dist/index.js"))};\nawait pipeline({ steps: [typescript({ name: "one", function: () => undefined })] }).execute({ runId: "sdk-1", warn: () => {} });\n`;
    await writeFile(join(dir, "sdk.mjs"), sdk);
    const { execFileSync } = await import("node:child_process");
    execFileSync(process.execPath, ["sdk.mjs"], { cwd: dir });
    ui = await startUi(dir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    await cleanup();
  });

  it("shows a map as a sweep: iterate values, status, duration, final metrics, best and worst marked, sortable", async () => {
    await page.goto(`${ui.base}/#/run/sweep-a?tab=sweeps`);
    await expect.poll(items).toEqual(["rate=0.3", "rate=0.1", "rate=0.03"]);
    const row = page.locator('[data-testid="sweep-row"][data-item="rate=0.03"]');
    expect(await row.locator("td").first().textContent()).toBe("0.03");
    expect(await row.locator(".badge").textContent()).toBe("SUCCESS");
    // Rounded in the cell, whole in its title.
    expect(await row.locator('[data-col="accuracy"]').textContent()).toBe("0.697 ▼");
    expect(await row.locator('[data-col="accuracy"]').getAttribute("title")).toBe("0.696969696969697 (worst)");
    expect(await page.locator('[data-testid="sweep-row"][data-item="rate=0.3"] [data-col="loss"]').getAttribute("data-mark")).toBe("best");
    await page.locator('[data-testid="sweep-sort"][data-column="loss"]').click();
    await expect.poll(items).toEqual(["rate=0.3", "rate=0.1", "rate=0.03"]);
    expect(page.url()).toContain("sort=loss%3Aasc");
    await page.locator('[data-testid="sweep-sort"][data-column="loss"]').click();
    await expect.poll(items).toEqual(["rate=0.03", "rate=0.1", "rate=0.3"]);
    await page.locator('[data-testid="sweep-sort"][data-column="rate"]').click();
    await expect.poll(items).toEqual(["rate=0.03", "rate=0.1", "rate=0.3"]);
    await shot("sweep-table");
  });

  it("charts each metric with one labelled line per item, best and worst named, whole-number steps", async () => {
    await page.goto(`${ui.base}/#/run/sweep-a?tab=sweeps`);
    const chart = page.locator('[data-testid="sweep-chart"][data-metric="loss"] [data-testid="sweep-chart-plot"]');
    await expect.poll(() => chart.getAttribute("data-draw-ms")).not.toBeNull();
    expect(await chart.getAttribute("data-series")).toBe("3");
    const legend = await chart.locator(".u-legend .u-series .u-label").allTextContents();
    expect(legend.slice(1).sort()).toEqual(["rate=0.03 (worst)", "rate=0.1", "rate=0.3 (best)"]);
    expect(await chart.getAttribute("data-x-ticks")).toBe("1,2,3,4");
    // Metrics recorded once per item (lr, accuracy) are in the table, not charted by step.
    expect(await page.locator('[data-testid="sweep-chart"]').count()).toBe(1);
    await shot("sweep-chart");
  });

  it("sorts the runs list by a final metric and filters it by metrics and parameters, saying when it was listed", async () => {
    await page.goto(`${ui.base}/#/runs`);
    await expect.poll(rowIds).toEqual(["sdk-1", "sweep-b", "sweep-a"]);
    await expect.poll(() => page.locator('[data-testid="listed-at"]').textContent()).toMatch(/as of \d\d:\d\d:\d\d/);
    // A parameter and a metric of one name are told apart by their heading, not only by colour.
    expect(await page.locator('th[data-col="param:lr"]').textContent()).toBe("param lr");
    expect(await page.locator('th[data-col="metric:lr"]').textContent()).toBe("metric lr");
    const accuracy = page.locator('[data-run-id="sweep-a"] td[data-col="metric:accuracy"]');
    expect(await accuracy.textContent()).toBe("0.8333*");
    expect(await accuracy.getAttribute("title")).toBe("0.8333333333333334 (max over 3 items)");
    await page.locator('th[data-col="metric:loss"]').click();
    await expect.poll(rowIds).toEqual(["sweep-b", "sweep-a", "sdk-1"]);
    expect(page.url()).toContain("sort=metrics.loss");
    await page.fill('[data-testid="filter-expression"]', "params.lr>0.6");
    await expect.poll(rowIds).toEqual(["sweep-b"]);
    await page.fill('[data-testid="filter-expression"]', "lr>0.6");
    await expect.poll(rowIds).toEqual([]);
    await page.fill('[data-testid="filter-expression"]', "loss <");
    await expect.poll(() => page.locator('[data-testid="runs-error"]').textContent()).toContain('expected a value after "loss <"');
    await page.fill('[data-testid="filter-expression"]', "");
    await expect.poll(() => page.locator('[data-run-id="sdk-1"] td.path').textContent()).toBe("(SDK)");
    const options = await page.locator('[data-testid="filter-pipeline"] option').allTextContents();
    expect(options).toContain("(SDK) (1)");
    expect(options.join()).not.toContain("(no tag)");
    await shot("runs-sorted");
  });

  it("compares items across runs by iterate value and says how a run's final value was obtained", async () => {
    await page.goto(`${ui.base}/#/compare?runs=sweep-a,sweep-b`);
    const rows = page.locator('[data-testid="compare-item-row"]');
    await expect
      .poll(() => rows.evaluateAll((els) => els.map((el) => el.getAttribute("data-item"))))
      .toEqual(["rate=0.3", "rate=0.1", "rate=0.03", "rate=0.01"]);
    await page.selectOption('[data-testid="compare-item-metric"]', "loss");
    expect(await page.locator('[data-testid="compare-item-row"][data-item="rate=0.03"] td').allTextContents()).toEqual(["0.7353", "–"]);
    expect(await page.locator('[data-testid="compare-item-row"][data-item="rate=0.1"] td').allTextContents()).toEqual(["0.4545", "0.4545"]);
    expect(await page.locator('[data-testid="metric-row"][data-key="loss"] td').first().getAttribute("data-how")).toBe("min over 3 items");
    const chart = page.locator('[data-testid="compare-chart"][data-title="loss"]');
    await expect.poll(() => chart.getAttribute("data-series")).toBe("6");
    const labels = await chart.locator(".u-legend .u-series .u-label").allTextContents();
    expect(labels).toContain("sweep-a · rate=0.3");
    expect(labels).toContain("sweep-b · rate=0.01");
    await shot("compare-items");
  });
});
