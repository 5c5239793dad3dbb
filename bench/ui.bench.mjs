// Run browser benchmarks of issue 12: first byte of the runs list (1,000 runs), a 10,000-item map's run
// page usable in Chromium, a 100,000-point chart drawn. Prints figures; never fails on timing.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pipeline, track, typescript } from "../dist/index.js";
import { report } from "./report.mjs";

const REPO = resolve(import.meta.dirname, "..");
const CHROMIUM = process.env.RUNNABLE_UI_BROWSER ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Starts `runnable ui --port 0` in `cwd`; resolves with its origin and a stop function. */
function startUi(cwd) {
  const child = spawn(process.execPath, [join(REPO, "bin/runnable.js"), "ui", "--port", "0"], { cwd, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolveStart, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const url = /^(http:\/\/\S+)$/m.exec(out)?.[1];
      if (url)
        resolveStart({
          base: new URL(url).origin,
          stop: () =>
            new Promise((r) => {
              child.once("exit", r);
              child.kill("SIGTERM");
            }),
        });
    });
    child.once("exit", (code) => reject(new Error(`runnable ui exited ${code}: ${out}`)));
  });
}

/** Milliseconds to the first byte and to the end of a GET. */
function timedGet(base, path) {
  const url = new URL(path, base);
  return new Promise((done, reject) => {
    const started = performance.now();
    let first = 0;
    let bytes = 0;
    const req = request(url, (res) => {
      res.once("data", () => (first = performance.now() - started));
      res.on("data", (chunk) => (bytes += chunk.length));
      res.on("end", () => done({ first, total: performance.now() - started, bytes, status: res.statusCode }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A store of `count` copies of one real run (ids bench-0000...). */
function storeWithRuns(count) {
  const dir = mkdtempSync(join(tmpdir(), "runnable-ui-bench-"));
  execFileSync(process.execPath, [join(REPO, "bin/runnable.js"), "execute", "-q", "-f", join(REPO, "tests/fixtures/ui/tune.yaml"), "--run-id", "seed-1"], {
    cwd: dir,
    env: { ...process.env, RUNNABLE_PRM_lr: "0.1" },
  });
  const folder = join(dir, ".run_log_store");
  const seed = readFileSync(join(folder, "seed-1.json"), "utf8");
  for (let i = 0; i < count; i++) {
    const id = `bench-${String(i).padStart(5, "0")}`;
    writeFileSync(join(folder, `${id}.json`), seed.replaceAll('"seed-1"', `"${id}"`).replace('"lr": 0.1', `"lr": ${(i % 97) / 100}`));
  }
  rmSync(join(folder, "seed-1.json"));
  rmSync(join(folder, "seed-1.journal.jsonl"), { force: true });
  return dir;
}

async function runsListFirstByte(count) {
  const dir = storeWithRuns(count);
  try {
    const up = performance.now();
    const ui = await startUi(dir);
    const upMs = performance.now() - up;
    try {
      const cold = await timedGet(ui.base, "/api/runs?limit=100");
      const warm = await timedGet(ui.base, "/api/runs?limit=100");
      const started = performance.now();
      const full = await timedGet(ui.base, "/api/runs?limit=100&wait=60000");
      const settled = performance.now() - started;
      const page = await timedGet(ui.base, "/api/runs?limit=100&q=0.5");
      report({
        id: `ui.runs-list-${count}.first-byte`,
        label: `runs list, ${count.toLocaleString("en-US")} runs (file-system): first byte on a fresh server`,
        value: cold.first,
        unit: "ms",
        target: "<= 200",
        note:
          `${warm.first.toFixed(0)} ms next (up in ${upMs.toFixed(0)} ms); every run read in the background in ${(cold.total + settled).toFixed(0)} ms; ` +
          `a filtered page then ${page.total.toFixed(0)} ms (${(full.bytes / 1024).toFixed(0)} KiB a page of 100)`,
      });
    } finally {
      await ui.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function withBrowser(body) {
  if (!existsSync(CHROMIUM)) return console.log(`browser benchmarks: skipped (no ${CHROMIUM}; run scripts/setup-browser.sh)`);
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    await body(await browser.newPage({ viewport: { width: 1400, height: 900 } }));
  } finally {
    await browser.close();
  }
}

async function bigMapPage(items) {
  const dir = mkdtempSync(join(tmpdir(), "runnable-ui-bench-"));
  try {
    writeFileSync(join(dir, "items.yaml"), `items: [${Array.from({ length: items }, (_, i) => i).join(", ")}]\n`);
    const t0 = performance.now();
    execFileSync(
      process.execPath,
      [join(REPO, "bin/runnable.js"), "execute", "-q", "-f", join(REPO, "tests/fixtures/ui/big-map.yaml"), "-p", "items.yaml", "--run-id", "big-1"],
      { cwd: dir },
    );
    const runMs = performance.now() - t0;
    const ui = await startUi(dir);
    try {
      await withBrowser(async (page) => {
        const started = performance.now();
        await page.goto(`${ui.base}/#/run/big-1`);
        const node = page.locator('[data-testid="graph-node"][data-name="items"]');
        await page.waitForFunction(
          () => document.querySelector('[data-name="items"] [data-testid="node-sub"]')?.textContent?.startsWith("10,000 items"),
          null,
          { timeout: 60_000 },
        );
        const graphMs = performance.now() - started;
        await node.locator(":scope > .node-name").click();
        await page.waitForSelector('[data-testid="item-row"]');
        const itemsMs = performance.now() - started;
        await page.fill('[data-testid="items-search"]', "9999");
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="item-row"]').length === 1);
        const searchMs = performance.now() - started - itemsMs;
        const again = performance.now();
        await page.reload();
        await page.waitForFunction(() => document.querySelector('[data-name="items"] [data-testid="node-sub"]')?.textContent?.startsWith("10,000 items"));
        const warmMs = performance.now() - again;
        report({
          id: `ui.map-page-${items}`,
          label: `run page, map of ${items.toLocaleString("en-US")} items: item list usable`,
          value: itemsMs,
          unit: "ms",
          target: "<= 1500",
          note: `graph with counts in ${graphMs.toFixed(0)} ms, search ${searchMs.toFixed(0)} ms, reload ${warmMs.toFixed(0)} ms (the run took ${(runMs / 1000).toFixed(1)} s)`,
        });
      });
    } finally {
      await ui.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bigChart(points) {
  const dir = mkdtempSync(join(tmpdir(), "runnable-ui-bench-"));
  try {
    await pipeline({
      steps: [
        typescript({
          name: "train",
          function: () => {
            for (let i = 0; i < points; i++) track({ loss: 1 / (1 + i / 1000) + Math.sin(i / 50) / 20 }, i);
          },
        }),
      ],
    }).execute({ cwd: dir, env: {}, warn: () => {}, runId: "chart-1" });
    const ui = await startUi(dir);
    try {
      await withBrowser(async (page) => {
        const started = performance.now();
        await page.goto(`${ui.base}/#/run/chart-1?tab=metrics`);
        await page.waitForSelector('[data-testid="chart"][data-draw-ms]', { timeout: 60_000 });
        const loadedMs = performance.now() - started;
        const drawMs = Number(await page.getAttribute('[data-testid="chart"]', "data-draw-ms"));
        const shown = await page.getAttribute('[data-testid="chart"]', "data-points");
        report({
          id: "ui.chart-draw",
          label: `chart of ${Number(shown).toLocaleString("en-US")} points: drawn after its data arrived`,
          value: drawMs,
          unit: "ms",
          target: "<= 500",
          note: `${loadedMs.toFixed(0)} ms from opening the page`,
        });
      });
    } finally {
      await ui.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every benchmark of the run browser. */
export async function uiBenchmarks() {
  if (!existsSync(join(REPO, "dist/web/index.html"))) throw new Error("build first: npm run build");
  await runsListFirstByte(1000);
  await runsListFirstByte(10_000);
  await bigMapPage(10_000);
  await bigChart(100_000);
}

if (import.meta.url === `file://${process.argv[1]}`) await uiBenchmarks();
