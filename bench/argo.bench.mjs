// Argo benchmarks of issue 9: rendering the manifest of a 1,000-step pipeline and of a map nested three
// deep (render alone, render + YAML, and the whole `runnable execute -c argo.yaml` process).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { report } from "./report.mjs";

const SELF = fileURLToPath(import.meta.url);
const BIN = fileURLToPath(new URL("../bin/runnable.js", import.meta.url));
const TARGET_SECONDS = 1;

function chain(steps) {
  const body = Array.from({ length: steps }, (_, i) => `    step ${i}:\n      type: stub\n      next: ${i === steps - 1 ? "success" : `step ${i + 1}`}\n`).join(
    "",
  );
  return `dag:\n  start_at: step 0\n  steps:\n${body}    success:\n      type: success\n    fail:\n      type: fail\n`;
}

/** A map whose branch holds a map whose branch holds a map (each branch: two steps). */
function nestedMaps(depth) {
  const indent = (text, by) =>
    text
      .split("\n")
      .map((line) => (line ? " ".repeat(by) + line : line))
      .join("\n");
  let branch =
    "start_at: work\nsteps:\n  work: {type: stub, next: more}\n  more: {type: stub, next: success}\n  success: {type: success}\n  fail: {type: fail}\n";
  for (let level = depth; level >= 1; level--) {
    const map = `start_at: map ${level}\nsteps:\n  map ${level}:\n    type: map\n    iterate_on: items\n    iterate_as: item${level}\n    next: success\n    branch:\n${indent(branch, 6)}  success: {type: success}\n  fail: {type: fail}\n`;
    branch = map;
  }
  return `dag:\n${indent(branch, 2)}`;
}

async function renderOnce(file) {
  const { loadPipelineFile } = await import("../dist/definition/load-pipeline.js");
  const { renderWorkflow } = await import("../dist/plugins/executor/argo/render.js");
  const { buildArgoConfigSchema } = await import("../dist/plugins/executor/argo/schema.js");
  const argoConfigSchema = buildArgoConfigSchema();
  const { workflowYaml } = await import("../dist/plugins/executor/argo/argo-executor.js");
  const { graph } = await loadPipelineFile(file);
  const config = argoConfigSchema.parse({ image: "runnable:demo", persistent_volumes: [{ name: "v", mount_path: "/mnt" }] });
  const inputs = { pipelineFile: "p.yaml", configFile: "argo.yaml", parametersFile: null, tag: "", parameters: { n: 1 }, variables: {} };
  const times = [];
  let yamlMs = 0;
  let templates = 0;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const { workflow } = renderWorkflow(graph, config, inputs);
    const rendered = performance.now();
    workflowYaml(workflow);
    yamlMs = performance.now() - rendered;
    times.push(rendered - started);
    templates = workflow.spec.templates.length;
  }
  times.sort((a, b) => a - b);
  return { renderMs: times[2], yamlMs, templates };
}

function cliSeconds(dir, file) {
  writeFileSync(join(dir, "argo.yaml"), "executor:\n  type: argo\n  config:\n    image: runnable:demo\n    output_file: out.yaml\n");
  const started = performance.now();
  const result = spawnSync(process.execPath, [BIN, "execute", "-f", file, "-c", "argo.yaml"], { cwd: dir, encoding: "utf8" });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`runnable execute failed: ${result.stderr}`);
  return seconds;
}

export async function argoBenchmarks() {
  const dir = mkdtempSync(join(tmpdir(), "runnable-argo-bench-"));
  try {
    const cases = [
      ["1,000-step pipeline", "chain.yaml", chain(1000)],
      ["map nested three deep", "nested.yaml", nestedMaps(3)],
    ];
    const rows = [];
    for (const [label, name, yaml] of cases) {
      const file = join(dir, name);
      writeFileSync(file, yaml);
      const { renderMs, yamlMs, templates } = await renderOnce(file);
      const wall = cliSeconds(dir, file);
      const id = `argo.${name.replace(".yaml", "")}`;
      const what = `argo manifest of a ${label} (${templates} templates)`;
      report({
        id: `${id}.render`,
        label: `${what}, render (median of 5)`,
        value: renderMs,
        unit: "ms",
        target: `<= ${TARGET_SECONDS * 1000}`,
        note: `YAML ${yamlMs.toFixed(1)} ms`,
      });
      report({
        id: `${id}.process`,
        label: `${what}, whole \`runnable execute -c argo.yaml\` process`,
        value: wall,
        unit: "s",
        target: `<= ${TARGET_SECONDS}`,
      });
      rows.push({ label, renderMs, yamlMs, wall });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === SELF) await argoBenchmarks();
