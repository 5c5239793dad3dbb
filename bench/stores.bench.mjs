// Benchmarks of issue 13 (the team stores): a map over 10,000 no-op TypeScript tasks with the postgres
// run log store; `runs list` over 100,000 stored runs; a 1 GB catalog put/get through the s3 catalog
// against the local S3 server (moto), its peak memory, and the same file uploaded and downloaded with
// the AWS SDK alone. Servers come from scripts/postgres-server.sh / scripts/s3-server.sh (started here
// when not running, and stopped again). Prints figures; never fails on timing.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { report } from "./report.mjs";

const SELF = fileURLToPath(import.meta.url);
const REPO = resolve(fileURLToPath(new URL("..", import.meta.url)));
// mapSeconds: issue 25's target for the 10,000-item map (≤ 5 s, ≤ 300 MB); the other targets are issue 13's.
const TARGET = { mapSeconds: 5, listMs: 200, rssMB: 150, ratio: 2 };
const S3_ENV = {
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_REGION: "us-east-1",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

/** Starts a server script unless it runs; returns its URL and whether this benchmark started it. */
function server(script) {
  const status = spawnSync("bash", [join(REPO, "scripts", script), "status"], { encoding: "utf8" });
  const started = status.status !== 0;
  const url = execFileSync("bash", [join(REPO, "scripts", script), "start"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
    .trim()
    .split("\n")
    .at(-1);
  return { url, stop: () => started && spawnSync("bash", [join(REPO, "scripts", script), "stop"]) };
}

/** Child: the 10,000-item map with the postgres store in schema `schema`; prints seconds and peak RSS. */
async function mapChild(dir, url, schema, items, limit) {
  const { map, pipeline, typescript } = await import("../dist/index.js");
  const { executePipeline } = await import("../dist/runtime/execute.js");
  const { serialiseGraph } = await import("../dist/definition/serialise.js");
  const noop = pipeline({ steps: [typescript({ name: "noop", function: () => undefined })] });
  const steps = [
    typescript({ name: "list", function: () => ({ items: Array.from({ length: Number(items) }, (_, i) => i) }) }),
    map({ name: "each", iterateOn: "items", iterateAs: "item", branch: noop }),
  ];
  const executor = { type: "local", config: Number(limit) > 1 ? { enable_parallel: true, max_parallel: Number(limit) } : {} };
  writeFileSync(
    join(dir, "config.yaml"),
    JSON.stringify({ executor, run_log_store: { type: "postgres", config: { connection_url: url, schema } }, catalog: { type: "do-nothing" } }),
  );
  const { graph } = pipeline({ name: "bench", steps }).build();
  const source = { kind: "graph", graph, serialised: serialiseGraph(graph), name: "bench", file: null };
  const started = performance.now();
  const result = await executePipeline({ source, cwd: dir, env: { PATH: process.env.PATH }, configFile: join(dir, "config.yaml"), warn: () => {} });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== "SUCCESS") throw new Error(`benchmark run ${result.runId} ended ${result.status}`);
  const { openRunLogStore } = await import("../dist/runtime/open-store.js");
  const store = await openRunLogStore({ cwd: dir, configFile: join(dir, "config.yaml"), env: { PATH: process.env.PATH } });
  const readStarted = performance.now();
  const run = await store.get(result.runId);
  const readSeconds = (performance.now() - readStarted) / 1000;
  const branches = Object.keys(run.steps.each.branches).length;
  const usage = process.resourceUsage();
  console.log(JSON.stringify({ seconds, readSeconds, branches, rssMB: usage.maxRSS / 1024, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 }));
  process.exit(0);
}

/** Child: list() of the postgres store over schema `schema` (after one warm-up call); prints the times. */
async function listChild(url, schema) {
  const { createPostgresRunLogStore } = await import("../dist/plugins/run-log-store/postgres/postgres-store.js");
  const store = createPostgresRunLogStore({ connection_url: url, schema, pool_size: 2, retry_seconds: 1 }, { cwd: process.cwd(), env: {}, warn: () => {} });
  const times = [];
  let count = 0;
  for (let i = 0; i < 4; i++) {
    const started = performance.now();
    count = (await store.list()).length;
    times.push(performance.now() - started);
  }
  await store.close();
  console.log(JSON.stringify({ count, firstMs: times[0], warmMs: Math.min(...times.slice(1)) }));
}

/** Child: one transfer of a 1 GB file; `how` is catalog-put, catalog-get, sdk-put or sdk-get. Prints seconds and peak RSS. */
async function transferChild(dir, endpoint, bucket, how) {
  const started = performance.now();
  if (how.startsWith("catalog")) {
    const { createS3Catalog } = await import("../dist/plugins/catalog/s3/s3-catalog.js");
    const catalog = createS3Catalog({ bucket, prefix: "bench", endpoint_url: endpoint, force_path_style: true }, { cwd: dir, env: S3_ENV, warn: () => {} });
    if (how === "catalog-put") await catalog.put("big.bin", "run-1");
    else await catalog.get("big.bin", "run-1");
  } else {
    const { S3Client, GetObjectCommand } = await import("@aws-sdk/client-s3");
    const { Upload } = await import("@aws-sdk/lib-storage");
    const { createReadStream, createWriteStream } = await import("node:fs");
    const { pipeline } = await import("node:stream/promises");
    const client = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "bench", secretAccessKey: "bench" } });
    if (how === "sdk-put") await new Upload({ client, params: { Bucket: bucket, Key: "sdk/big.bin", Body: createReadStream(join(dir, "big.bin")) } }).done();
    else await pipeline((await client.send(new GetObjectCommand({ Bucket: bucket, Key: "sdk/big.bin" }))).Body, createWriteStream(join(dir, "sdk.bin")));
  }
  console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, rssMB: process.resourceUsage().maxRSS / 1024 }));
}

function child(env, ...args) {
  const run = spawnSync(process.execPath, [SELF, "--child", ...args.map(String)], { encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, ...env } });
  if (run.status !== 0) throw new Error(`benchmark child ${args.join(" ")} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1));
}

/** Fills schema `schema` with `count` runs (one statement) through the store's own tables. */
function seedRuns(url, schema, count) {
  execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `
    import pg from "pg";
    import { createPostgresRunLogStore } from "${REPO}/dist/plugins/run-log-store/postgres/postgres-store.js";
    const store = createPostgresRunLogStore({ connection_url: process.argv[1], schema: process.argv[2], pool_size: 1, retry_seconds: 1 }, { cwd: ".", env: {}, warn: () => {} });
    await store.exists("warm-up"); // creates the tables
    await store.close();
    const client = new pg.Client({ connectionString: process.argv[1] });
    await client.connect();
    await client.query(\`INSERT INTO \${process.argv[2]}.runnable_runs (run_id, status, tag, pipeline_file, header, parameters, run_config, created_by, updated_ms, changed_ms)
      SELECT 'run-' || i, CASE WHEN i % 1000 = 0 THEN 'PROCESSING' WHEN i % 10 = 0 THEN 'FAIL' ELSE 'SUCCESS' END, 'tag-' || (i % 7), 'pipeline-' || (i % 20) || '.yaml', '{}', '{}', '{}', 'bench', 1780000000000 - i * 1000, 1780000000000 - i * 1000
      FROM generate_series(1, $1::int) AS i\`, [Number(process.argv[3])]);
    await client.query(\`ANALYZE \${process.argv[2]}.runnable_runs\`);
    await client.end();
  `,
      url,
      schema,
      String(count),
    ],
    { cwd: REPO, stdio: "inherit" },
  );
}

function dropSchema(url, schema) {
  execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import pg from "pg"; const c = new pg.Client({ connectionString: process.argv[1] }); await c.connect(); await c.query("DROP SCHEMA IF EXISTS " + process.argv[2] + " CASCADE"); await c.end();`,
      url,
      schema,
    ],
    { cwd: REPO },
  );
}

function postgresFigures(scratch) {
  const pg = server("postgres-server.sh");
  try {
    for (const limit of [1, 8]) {
      const mapSchema = `bench_${randomBytes(4).toString("hex")}`;
      const map = child({}, "map", mkdtempSync(join(scratch, "map-")), pg.url, mapSchema, 10_000, limit);
      dropSchema(pg.url, mapSchema);
      const how = limit > 1 ? `enable_parallel, max_parallel ${limit}` : "one item at a time (the default)";
      const id = `stores.postgres-map-10000${limit > 1 ? "-parallel" : ""}`;
      const label = `postgres store, map of 10,000 no-op TypeScript tasks, ${how}`;
      const note = `CPU of the runnable process ${map.cpuSeconds.toFixed(1)} s; reading the run back (${map.branches} branches): ${map.readSeconds.toFixed(2)} s`;
      report({ id, label, value: map.seconds, unit: "s", target: limit > 1 ? undefined : `<= ${TARGET.mapSeconds}`, note });
      report({ id: `${id}.rss`, label: `${label}, peak RSS`, value: map.rssMB, unit: "MB", target: limit > 1 ? undefined : "<= 300" });
    }
    const listSchema = `bench_${randomBytes(4).toString("hex")}`;
    seedRuns(pg.url, listSchema, 100_000);
    const list = child({}, "list", pg.url, listSchema);
    const dir = mkdtempSync(join(scratch, "list-"));
    writeFileSync(join(dir, "config.yaml"), JSON.stringify({ run_log_store: { type: "postgres", config: { connection_url: pg.url, schema: listSchema } } }));
    const cli = (args) => {
      const started = performance.now();
      const run = spawnSync(process.execPath, [join(REPO, "bin/runnable.js"), ...args, "-c", "config.yaml"], {
        cwd: dir,
        encoding: "utf8",
        maxBuffer: 1 << 28,
      });
      if (run.status !== 0) throw new Error(run.stderr);
      return performance.now() - started;
    };
    const version = spawnSync(process.execPath, [join(REPO, "bin/runnable.js"), "--version"]);
    void version;
    const startedAt = performance.now();
    spawnSync(process.execPath, [join(REPO, "bin/runnable.js"), "--help"], { encoding: "utf8" });
    const startup = performance.now() - startedAt;
    const listCli = Math.min(cli(["runs", "list", "--json"]), cli(["runs", "list", "--json"]));
    const limited = Math.min(cli(["runs", "list", "--limit", "20"]), cli(["runs", "list", "--limit", "20"]));
    dropSchema(pg.url, listSchema);
    report({
      id: "stores.postgres-list-100000",
      label: `postgres store, list() over ${list.count.toLocaleString("en")} runs`,
      value: list.warmMs,
      unit: "ms",
      target: `<= ${TARGET.listMs}`,
      note: `first call with connect + schema check ${list.firstMs.toFixed(0)} ms`,
    });
    console.log(
      `  \`runnable runs list --json\` (all 100,000): ${listCli.toFixed(0)} ms wall; \`runs list --limit 20\`: ${limited.toFixed(0)} ms wall (CLI start-up alone: ${startup.toFixed(0)} ms)`,
    );
  } finally {
    pg.stop();
  }
}

function s3Figures(scratch) {
  const s3 = server("s3-server.sh");
  try {
    const bucket = "runnable-bench";
    execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { S3Client, CreateBucketCommand } from "@aws-sdk/client-s3"; await new S3Client({ endpoint: process.argv[1], region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "b", secretAccessKey: "b" } }).send(new CreateBucketCommand({ Bucket: "${bucket}" })).catch(() => {});`,
        s3.url,
      ],
      { cwd: REPO, env: { ...process.env, ...S3_ENV } },
    );
    const dir = mkdtempSync(join(scratch, "s3-"));
    const fd = openSync(join(dir, "big.bin"), "w");
    const block = randomBytes(1 << 20);
    for (let i = 0; i < 1024; i++) writeSync(fd, block);
    closeSync(fd);
    const figures = {};
    for (const how of ["sdk-put", "catalog-put", "sdk-get", "catalog-get"]) figures[how] = child(S3_ENV, "transfer", dir, s3.url, bucket, how);
    const rate = (f) => `${(1024 / f.seconds).toFixed(0)} MB/s`;
    for (const [kind, sdk] of [
      ["put", figures["sdk-put"]],
      ["get", figures["sdk-get"]],
    ]) {
      const ours = figures[`catalog-${kind}`];
      const ratio = ours.seconds / sdk.seconds;
      const label = `s3 catalog ${kind} of 1 GB`;
      const note = `${ours.seconds.toFixed(1)} s (${rate(ours)}); AWS SDK alone ${sdk.seconds.toFixed(1)} s (${rate(sdk)}), RSS ${sdk.rssMB.toFixed(0)} MB`;
      report({ id: `stores.s3-${kind}-1gb`, label: `${label}, against the AWS SDK alone`, value: ratio, unit: "x", target: `<= ${TARGET.ratio}`, note });
      report({ id: `stores.s3-${kind}-1gb.rss`, label: `${label}, peak RSS`, value: ours.rssMB, unit: "MB", target: `<= ${TARGET.rssMB}` });
    }
  } finally {
    s3.stop();
  }
}

/** Prints the figures of the team stores. */
export async function storesBenchmarks() {
  console.log(
    `stores benchmarks (load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(" ")} on a machine of 2 cores shared with other work)`,
  );
  const scratch = mkdtempSync(join(tmpdir(), "runnable-bench-stores-"));
  try {
    const only = process.env.RUNNABLE_BENCH_STORES;
    if (!only || only === "postgres") postgresFigures(scratch);
    if (!only || only === "s3") s3Figures(scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") {
  const [kind, ...args] = process.argv.slice(3);
  if (kind === "map") await mapChild(...args);
  else if (kind === "list") await listChild(...args);
  else await transferChild(...args);
} else if (process.argv[1] === SELF) {
  await storesBenchmarks();
}
