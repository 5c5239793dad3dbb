// Issue 19, item 1: a secret's value reaching a run from outside a task — a `-p` parameters file, a
// `RUNNABLE_PRM_*` or `RUNNABLE_VAR_*` variable, `--tag`, the name of a catalogued file, a map item —
// is masked from the first byte the run writes: every byte of the run's records on every store (the
// files, the database rows, the objects), the CLI's output, the run browser's API and MLflow. The
// probe's "secrets" section, re-run.
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { mlflow, mlflowUri } from "./helpers/mlflow.js";
import { S3_TEST_ENV, noPostgres, noS3, postgresUrl, s3Endpoint } from "./helpers/store-servers.js";
import { startUi } from "./helpers/ui-server.js";

const SECRET = "Zq7SecretValue93x";
const BUCKET = "runnable-secrets-tests";

const PIPELINE = `dag:
  start_at: write
  steps:
    write:
      type: task
      command_type: shell
      command: 'echo data > "out-$(cut -d= -f2 .env).txt"; echo "token is $RUNNABLE_PRM_token"'
      catalog: {put: ["out-*.txt"]}
      next: fan
    fan:
      type: map
      iterate_on: items
      iterate_as: item
      next: boom
      branch:
        start_at: show
        steps:
          show: {type: task, command_type: shell, command: 'echo "item $RUNNABLE_PRM_item"', next: success}
    boom:
      type: task
      command_type: shell
      command: 'echo "failing with $RUNNABLE_PRM_fromenv" >&2; exit 3'
      next: success
`;

/** Everything a run starts from that holds the secret: parameters (file and environment), variables, the tag. */
const PARAMETERS = `token: ${SECRET}\nsuffix: ${SECRET}\nitems: ["${SECRET}", "plain", "x-${SECRET}"]\nnested: {deep: [1, "in ${SECRET} text"]}\nk_${SECRET}: 1\n`;
const ENV = { RUNNABLE_PRM_fromenv: `env-${SECRET}`, RUNNABLE_VAR_where: SECRET };
const TAG = `release-${SECRET}`;

const CONFIGS: Record<string, (prefix: string) => string> = {
  "file-system": () => "",
  "chunked-fs": () => "run_log_store:\n  type: chunked-fs\n",
  buffered: () => "run_log_store:\n  type: buffered\n",
  postgres: (prefix) => `run_log_store:\n  type: postgres\n  config: {connection_url: "${postgresUrl}", schema: ${prefix.replaceAll("-", "_")}}\n`,
  s3: (prefix) => `run_log_store:\n  type: s3\n  config: {bucket: ${BUCKET}, prefix: ${prefix}, endpoint_url: "${s3Endpoint}", force_path_style: true}\n`,
};
const SKIP: Record<string, string | undefined> = { postgres: noPostgres, s3: noS3 };

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "runnable-secrets19-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Files below `root` whose name or bytes hold the secret, except the catalogued data files (the user's own). */
async function filesHolding(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const shown = relative(root, path);
      if (/(^|\/)out-.*\.txt$/.test(shown) || shown === ".env" || shown === "params.yaml") continue;
      if (entry.name.includes(SECRET)) found.push(`${shown} (its name)`);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && (await readFile(path)).includes(SECRET)) found.push(shown);
    }
  };
  await walk(root);
  return found;
}

/** Every row of the store's tables in `schema`, as text. */
async function postgresRows(schema: string): Promise<string> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const tables = await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [schema]);
    let text = "";
    for (const { table_name } of tables.rows) text += JSON.stringify((await client.query(`SELECT * FROM "${schema}"."${table_name}"`)).rows);
    return text;
  } finally {
    await client.end();
  }
}

/** Every key and every byte of the objects under `prefix`. */
async function s3Objects(prefix: string): Promise<string> {
  const s3 = new S3Client({
    endpoint: s3Endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  let text = "";
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      text += `${object.Key}\n`;
      text += `${await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: object.Key }))).Body?.transformToString()}\n`;
    }
    token = page.NextContinuationToken;
  } while (token);
  return text;
}

describe("secrets reaching a run from outside its tasks are masked in everything it records", () => {
  it.each(Object.keys(CONFIGS))(
    "%s store: files, rows or objects, the CLI's output and `runs show/list` hold no secret",
    async (store) => {
      if (SKIP[store]) return;
      const prefix = `s${randomBytes(4).toString("hex")}`;
      const project = join(dir, store);
      await rm(project, { recursive: true, force: true });
      await import("node:fs/promises").then((fs) => fs.mkdir(project, { recursive: true }));
      await writeFile(join(project, ".env"), `API_KEY=${SECRET}\n`);
      await writeFile(join(project, "params.yaml"), PARAMETERS);
      await writeFile(join(project, "p.yaml"), PIPELINE);
      await writeFile(join(project, "c.yaml"), `secrets:\n  type: dotenv\n  config:\n    location: .env\n${CONFIGS[store]!(prefix)}`);
      if (store === "s3") {
        const s3 = new S3Client({
          endpoint: s3Endpoint,
          region: "us-east-1",
          forcePathStyle: true,
          credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        });
        await s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
      }
      const env = { ...ENV, ...S3_TEST_ENV, TMPDIR: join(dir, "tmp") };
      await import("node:fs/promises").then((fs) => fs.mkdir(env.TMPDIR, { recursive: true }));
      const run = await runCli(["execute", "-f", "p.yaml", "-c", "c.yaml", "-p", "params.yaml", "--tag", TAG, "--run-id", "masked"], { cwd: project, env });
      expect(run.code, run.stdout + run.stderr).toBe(1); // `boom` fails, on purpose
      let output = run.stdout + run.stderr;
      expect(output).toContain('token is "***"');
      expect(output).toContain('failing with "env-***"');
      if (store !== "buffered") {
        const shown = await runCli(["runs", "show", "masked", "-c", "c.yaml", "--json"], { cwd: project, env });
        const listed = await runCli(["runs", "list", "-c", "c.yaml"], { cwd: project, env });
        output += shown.stdout + shown.stderr + listed.stdout + listed.stderr;
        const log = JSON.parse(shown.stdout);
        expect(log.tag).toBe("release-***");
        expect(log.initial_parameters.token).toBe("***");
        expect(log.steps.write.data_catalog.some((entry: { name: string }) => entry.name === "out-***.txt")).toBe(true);
        expect(Object.keys(log.steps.fan.branches)).toEqual(["fan.***", "fan.plain", "fan.x-***"]);
      }
      expect(output).not.toContain(SECRET);
      expect(await filesHolding(project)).toEqual([]);
      expect(await filesHolding(env.TMPDIR)).toEqual([]);
      // The catalogued file itself is the user's data: it keeps its name.
      expect((await readdir(join(project, ".catalog", "masked"))).filter((name) => name.startsWith("out-"))).toEqual([`out-${SECRET}.txt`]);
      if (store === "postgres") expect(await postgresRows(prefix)).not.toContain(SECRET);
      if (store === "s3") expect(await s3Objects(prefix)).not.toContain(SECRET);
    },
    90_000,
  );

  it("a run id holding a secret is refused before anything is written, without repeating it", async () => {
    const project = join(dir, "run-id");
    await import("node:fs/promises").then((fs) => fs.mkdir(project, { recursive: true }));
    await writeFile(join(project, ".env"), `API_KEY=${SECRET}\n`);
    await writeFile(join(project, "p.yaml"), "dag:\n  start_at: a\n  steps:\n    a: {type: stub, next: success}\n");
    await writeFile(join(project, "c.yaml"), "secrets:\n  type: dotenv\n  config:\n    location: .env\n");
    const result = await runCli(["execute", "-f", "p.yaml", "-c", "c.yaml", "--run-id", `run-${SECRET}`], { cwd: project });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("the run id holds the value of a secret");
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(await filesHolding(project)).toEqual([]);
  });

  it("the run browser's API serves the masked records", async () => {
    const project = join(dir, "file-system");
    const ui = await startUi(project);
    try {
      let answers = "";
      for (const path of [
        "/api/runs",
        "/api/runs/masked",
        "/api/runs/masked/metrics",
        "/api/runs/masked/step?key=write",
        "/api/runs/masked/step?key=fan",
        "/api/runs/masked/items?key=fan",
      ]) {
        const response = await fetch(`${ui.base}${path}`);
        expect(response.status, path).toBe(200);
        answers += await response.text();
      }
      expect(answers).toContain("release-***");
      expect(answers).not.toContain(SECRET);
    } finally {
      await ui.stop();
    }
  });
});

const MLFLOW = mlflowUri();
describe.skipIf(!MLFLOW)("MLflow gets the masked tag as experiment name, masked parameters and tags", () => {
  it("a secret tag names the experiment `release-***`; no param, tag, metric or experiment holds the secret", async () => {
    const project = join(dir, "mlflow");
    await import("node:fs/promises").then((fs) => fs.mkdir(project, { recursive: true }));
    await writeFile(join(project, ".env"), `API_KEY=${SECRET}\n`);
    await writeFile(join(project, "params.yaml"), PARAMETERS);
    await writeFile(
      join(project, "p.yaml"),
      "dag:\n  start_at: a\n  steps:\n    a: {type: task, command_type: shell, command: 'export RUNNABLE_TRACK_score=1', next: success}\n",
    );
    await writeFile(
      join(project, "c.yaml"),
      `secrets:\n  type: dotenv\n  config:\n    location: .env\nexperiment_tracker:\n  type: mlflow\n  config:\n    server_url: "${MLFLOW}"\n`,
    );
    const runId = `mlflow-${randomBytes(3).toString("hex")}`;
    const tag = `release-${SECRET}`;
    const result = await runCli(["execute", "-f", "p.yaml", "-c", "c.yaml", "-p", "params.yaml", "--tag", tag, "--run-id", runId], { cwd: project, env: ENV });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const experiment = await mlflow(MLFLOW!, `experiments/get-by-name?experiment_name=${encodeURIComponent("release-***")}`);
    const runs = await mlflow(MLFLOW!, "runs/search", {
      experiment_ids: [experiment.experiment.experiment_id],
      filter: `tags.\`runnable.run_id\` = '${runId}'`,
    });
    expect(runs.runs).toHaveLength(1);
    expect(JSON.stringify(runs.runs[0].data.params)).toContain("***");
    const experiments = await mlflow(MLFLOW!, "experiments/search", { max_results: 1000 });
    expect(JSON.stringify(experiments) + JSON.stringify(runs)).not.toContain(SECRET);
  }, 90_000);
});
