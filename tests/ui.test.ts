import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli, scratchDir } from "./helpers/cli.js";
import { CHROMIUM, CHROMIUM_ARGS, HAVE_CHROMIUM, SCREENSHOTS, type UiProcess, startUi } from "./helpers/ui-server.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

// The run browser end to end: real runs made by the real CLI, the real `runnable ui` server, real Chromium.

let dir = "";
let cleanup: () => Promise<void> = async () => undefined;
let ui: UiProcess;
let browser: Browser;
let page: Page;

async function execute(args: string[]): Promise<void> {
  const result = await runCli(["execute", "-q", ...args], { cwd: dir });
  expect(result.stderr.includes("error:") ? result.stderr : "").toBe("");
}

async function shot(name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const rows = () => page.locator('[data-testid="run-row"]');
const rowIds = async () => rows().evaluateAll((els) => els.map((el) => el.getAttribute("data-run-id")));

describeNeeding(NEEDS.chromium, !HAVE_CHROMIUM && `no browser at ${CHROMIUM}`)("runnable ui in Chromium (needs scripts/setup-browser.sh)", () => {
  beforeAll(async () => {
    ({ dir, cleanup } = await scratchDir());
    await symlinkTests(dir);
    await writeFile(join(dir, "fast.yaml"), "lr: 0.1\n");
    await writeFile(join(dir, "slow.yaml"), "lr: 0.01\n");
    await execute(["-f", "examples/quickstart/pipeline.yaml", "--run-id", "quick-1"]);
    await execute(["-f", "examples/experiment-tracking/env-step.yaml", "--run-id", "env-1"]);
    await execute(["-f", "examples/concepts/nesting.yaml", "--run-id", "nest-1"]);
    await execute(["-f", "tests/fixtures/ui/tune.yaml", "-p", "fast.yaml", "--run-id", "tune-a", "--tag", "sweep"]);
    await execute(["-f", "tests/fixtures/ui/tune.yaml", "-p", "slow.yaml", "--run-id", "tune-b", "--tag", "sweep"]);
    await execute(["-f", "examples/default-fail.yaml", "--run-id", "fail-1", "--tag", "bad"]);
    ui = await startUi(dir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    await cleanup();
  });

  it("prints its URL on 127.0.0.1 and lists every run, newest first, with parameters and metrics as columns", async () => {
    expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    await page.goto(`${ui.base}/#/runs`);
    await expect.poll(rowIds).toEqual(["fail-1", "tune-b", "tune-a", "nest-1", "env-1", "quick-1"]);
    const tuneB = page.locator('[data-run-id="tune-b"]');
    await expect.poll(() => tuneB.locator('[data-col="param:lr"]').textContent()).toBe("0.01");
    expect(await tuneB.locator('[data-col="metric:accuracy"]').textContent()).toBe("0.99");
    expect(await page.locator('[data-run-id="fail-1"] .badge').textContent()).toBe("FAIL");
    await shot("runs-list");
  });

  it("filters the list by status, tag, pipeline and free text", async () => {
    await page.goto(`${ui.base}/#/runs`);
    await expect.poll(() => rows().count()).toBe(6);
    await page.selectOption('[data-testid="filter-status"]', "FAIL");
    await expect.poll(rowIds).toEqual(["fail-1"]);
    await page.selectOption('[data-testid="filter-status"]', "");
    await page.selectOption('[data-testid="filter-tag"]', "sweep");
    await expect.poll(rowIds).toEqual(["tune-b", "tune-a"]);
    await page.selectOption('[data-testid="filter-tag"]', "");
    await page.selectOption('[data-testid="filter-pipeline"]', "examples/concepts/nesting.yaml");
    await expect.poll(rowIds).toEqual(["nest-1"]);
    await page.selectOption('[data-testid="filter-pipeline"]', "");
    await page.fill('[data-testid="filter-text"]', "0.01");
    await expect.poll(rowIds).toEqual(["tune-b"]);
    expect(page.url()).toContain("q=0.01");
    await shot("runs-filtered");
  });

  it("shows a nested pipeline's graph with statuses, map item counts and a searchable item list", async () => {
    await page.goto(`${ui.base}/#/run/nest-1`);
    const node = (name: string) => page.locator(`[data-testid="graph-node"][data-name="${name}"]`);
    await expect.poll(() => node("outer most map").first().getAttribute("data-status")).toBe("SUCCESS");
    expect(await node("generate_list").getAttribute("data-status")).toBe("SUCCESS");
    expect(await node("outer most map").locator(':scope > [data-testid="node-sub"]').textContent()).toBe("2 items  2 ✓");
    expect(await node("nested parallel").count()).toBe(1);
    expect(await node("inner most map").count()).toBe(2);
    expect(await node("executable").first().locator(':scope > [data-testid="node-sub"]').textContent()).toContain("4 ✓");
    await shot("run-nested");
    await node("outer most map").locator(".node-name").first().click();
    await expect.poll(() => page.locator('[data-testid="item-row"]').count()).toBe(2);
    await page.fill('[data-testid="items-search"]', "1");
    await expect.poll(() => page.locator('[data-testid="item-row"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-item")))).toEqual(["1"]);
    await page.locator('[data-testid="item-open"]').click();
    await expect.poll(() => page.locator('[data-testid="crumbs"]').textContent()).toContain("outer most map › 1");
    const innerSub = node("inner most map").first().locator(':scope > [data-testid="node-sub"]');
    await expect.poll(() => innerSub.textContent()).toBe("2 items  2 ✓");
    expect(await node("nested parallel").getAttribute("data-status")).toBe("SUCCESS");
    expect(await node("generate_list").count()).toBe(0);
    await shot("run-map-item");
  });

  it("charts the env-step example's numeric metric by step with hover values, and tables the others", async () => {
    await page.goto(`${ui.base}/#/run/env-1?tab=metrics`);
    const chart = page.locator('[data-testid="chart"]');
    await expect.poll(() => chart.getAttribute("data-points")).toBe("1");
    expect(await chart.getAttribute("data-title")).toBe("answer");
    const values = await page
      .locator('[data-testid="chart-values"] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    expect(values).toEqual([["answer", "0", "42"]]);
    const box = (await chart.locator(".u-over").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => chart.locator(".u-legend .u-series").nth(1).locator(".u-value").textContent()).toBe("42");
    const table = await page
      .locator('[data-testid="metrics-table"] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    expect(table).toEqual([
      ["shell", "eggs", "0", '{"ham":"world"}'],
      ["shell", "eggs", "1", '{"ham":"universe"}'],
      ["shell", "spam", "0", "hello"],
      ["shell", "spam", "1", "hey"],
    ]);
    await shot("run-metrics-env-step");
  });

  it("plots a step-wise metric with its points (quickstart running_mean)", async () => {
    await page.goto(`${ui.base}/#/run/quick-1?tab=metrics`);
    await page.locator('[data-testid="metric-key-mean"]').uncheck();
    await page.locator('[data-testid="metric-key-max"]').uncheck();
    const chart = page.locator('[data-testid="chart"]');
    await expect.poll(() => chart.getAttribute("data-title")).toBe("running_mean");
    const values = await page
      .locator('[data-testid="chart-values"] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].slice(1).map((td) => Number(td.textContent))));
    expect(values).toEqual([
      [25, 13],
      [50, 25.5],
      [75, 38],
      [100, 50.5],
    ]);
    await shot("run-metrics-quickstart");
  });

  it("compares two runs with different parameters from the list, at a shareable URL", async () => {
    await page.goto(`${ui.base}/#/runs?tag=sweep`);
    await expect.poll(() => rows().count()).toBe(2);
    await page.locator('[aria-label="select tune-a"]').check();
    await page.locator('[aria-label="select tune-b"]').check();
    await page.locator('[data-testid="compare-selected"]').click();
    await expect.poll(() => page.url()).toContain("#/compare?runs=tune-a%2Ctune-b");
    const shared = page.url();
    await page.goto("about:blank");
    await page.goto(shared);
    const row = (key: string) => page.locator(`[data-testid="param-row"][data-key="${key}"]`);
    await expect.poll(() => row("lr").getAttribute("data-differs")).toBe("true");
    expect(await row("lr").locator("td").allTextContents()).toEqual(["0.1", "0.01"]);
    expect(await row("trained").getAttribute("data-differs")).toBe("false");
    expect(await page.locator('[data-testid="metric-row"][data-key="accuracy"] td').allTextContents()).toEqual(["0.9", "0.99"]);
    const chart = page.locator('[data-testid="compare-chart"][data-title="loss"]');
    expect(await chart.getAttribute("data-series")).toBe("2");
    expect(await chart.getAttribute("data-points")).toBe("10");
    expect(await page.locator('[data-testid="duration-row"]').count()).toBe(2);
    await shot("compare");
  });

  it("downloads a catalog file whose SHA-256 the step panel shows, and shows the execution log", async () => {
    await page.goto(`${ui.base}/#/run/quick-1`);
    await page.locator('[data-testid="graph-node"][data-name="generate"] rect').click();
    const entry = page.locator('[data-testid="catalog-entry"][data-name="data/numbers.txt"]');
    const shown = await entry.locator(".hash").textContent();
    const [download] = await Promise.all([page.waitForEvent("download"), entry.locator('[data-testid="catalog-download"]').click()]);
    const content = await readFile((await download.path())!);
    expect(content.toString()).toBe(Array.from({ length: 100 }, (_, i) => `${i + 1}\n`).join(""));
    expect(createHash("sha256").update(content).digest("hex")).toBe(shown);
    expect(download.suggestedFilename()).toBe("numbers.txt");
    await page.locator('[data-testid="graph-node"][data-name="summarise"] rect').click();
    await expect.poll(() => page.locator('[data-testid="log-lines"]').textContent()).toContain("summarised 100 numbers");
    await page.fill('[data-testid="log-search"]', "nothing like this");
    await expect.poll(() => page.locator('[data-testid="log-count"]').textContent()).toBe("0 of 1 lines match");
    await shot("step-panel");
  });

  it("updates a running run's page as its steps finish, without reloading", async () => {
    const running = runCli(["execute", "-q", "-f", "tests/fixtures/ui/slow.yaml", "--run-id", "live-1"], { cwd: dir });
    await expect.poll(async () => (await fetch(`${ui.base}/api/runs/live-1`)).status, { timeout: 15_000 }).toBe(200);
    await page.goto(`${ui.base}/#/run/live-1`);
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 1));
    const status = (name: string) => page.locator(`[data-testid="graph-node"][data-name="${name}"]`).getAttribute("data-status");
    await expect.poll(() => status("first"), { timeout: 10_000 }).toBe("PROCESSING");
    await shot("run-live");
    await expect.poll(() => status("first"), { timeout: 10_000 }).toBe("SUCCESS");
    await expect.poll(() => status("second"), { timeout: 10_000 }).toBe("SUCCESS");
    await expect.poll(() => page.locator('[data-testid="run-page"]').getAttribute("data-status"), { timeout: 10_000 }).toBe("SUCCESS");
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(1);
    expect((await running).code).toBe(0);
  });
});

async function symlinkTests(target: string): Promise<void> {
  const { symlink } = await import("node:fs/promises");
  const { REPO } = await import("./helpers/cli.js");
  await symlink(join(REPO, "tests"), join(target, "tests"));
}
