import { CreateBucketCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { minioCatalogPlugin, s3CatalogPlugin } from "../src/plugins/catalog/s3/index.js";
import { createS3Catalog } from "../src/plugins/catalog/s3/s3-catalog.js";
import { catalogContract } from "../src/testing/contracts/catalog.contract.js";
import { S3_TEST_ENV, noS3, s3Endpoint } from "./helpers/store-servers.js";
import { NEEDS, describeNeeding } from "./helpers/requirements.js";

const BUCKET = "runnable-catalog-tests";
const client = () =>
  new S3Client({ endpoint: s3Endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
const configFor = (prefix: string) => s3CatalogPlugin.configSchema.parse({ bucket: BUCKET, prefix, endpoint_url: s3Endpoint, force_path_style: true });
const open = (cwd: string, prefix = `c-${randomBytes(6).toString("hex")}`) =>
  createS3Catalog(configFor(prefix), { cwd, env: S3_TEST_ENV, warn: () => undefined });

describeNeeding(NEEDS.s3, noS3)("s3 catalog", () => {
  beforeAll(async () => {
    await client()
      .send(new CreateBucketCommand({ Bucket: BUCKET }))
      .catch((error: { name?: string }) => {
        if (error.name !== "BucketAlreadyOwnedByYou" && error.name !== "BucketAlreadyExists") throw error;
      });
  });

  catalogContract("s3", (cwd) => open(cwd));

  it("keeps runnable's layout under the prefix and streams a multipart file both ways with its SHA-256", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "s3-catalog-"));
    try {
      const prefix = `layout-${randomBytes(4).toString("hex")}`;
      const catalog = open(cwd, `${prefix}/catalog`);
      const big = randomBytes(20 * 1024 * 1024 + 123);
      await writeFile(path.join(cwd, "model.bin"), big);
      const [put] = await catalog.put("model.bin", "run-1");
      const sha = createHash("sha256").update(big).digest("hex");
      expect(put).toEqual({
        name: "model.bin",
        data_hash: sha,
        catalog_relative_path: "run-1/model.bin",
        catalog_handler_location: `s3://${BUCKET}/${prefix}/catalog`,
        stage: "put",
      });
      const head = await client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${prefix}/catalog/run-1/model.bin` }));
      expect(head.ContentLength).toBe(big.length);
      expect(head.ETag).toMatch(/-\d+"$/); // a multipart upload
      await rm(path.join(cwd, "model.bin"));
      const [got] = await catalog.get("model.bin", "run-1");
      expect(got?.data_hash).toBe(sha);
      expect((await readFile(path.join(cwd, "model.bin"))).equals(big)).toBe(true);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it("streams execution logs through createContent and records no credentials", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "s3-catalog-"));
    try {
      const catalog = createS3Catalog(configFor("logs"), { cwd, env: { ...S3_TEST_ENV, AWS_SECRET_ACCESS_KEY: "shh-secret" }, warn: () => undefined });
      expect(JSON.stringify(catalog.recordedConfig)).not.toContain("shh");
      const writer = await catalog.createContent("step.execution.log", "run-9");
      for (let i = 0; i < 1000; i++) writer.write(`line ${i}\n`);
      const [record] = await writer.commit();
      const file = await catalog.readFile("run-9", "step.execution.log");
      const chunks: Uint8Array[] = [];
      for await (const chunk of file.open()) chunks.push(chunk);
      const text = Buffer.concat(chunks).toString("utf8");
      expect(text.split("\n")[999]).toBe("line 999");
      expect(record?.data_hash).toBe(createHash("sha256").update(text).digest("hex"));
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it("names a missing bucket and the setting to fix", async () => {
    const catalog = createS3Catalog(
      s3CatalogPlugin.configSchema.parse({ bucket: "no-such-catalog-bucket", endpoint_url: s3Endpoint, force_path_style: true }),
      { cwd: os.tmpdir(), env: S3_TEST_ENV, warn: () => undefined },
    );
    await expect(catalog.putContent("x.log", "x", "run-1")).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringContaining("catalog.config.bucket"),
    });
  });
  describe("runnable 0.50: store_copy, the fingerprint, the minio name", () => {
    const MiB = 1024 * 1024;
    const sha256 = (bytes: string | Buffer) => createHash("sha256").update(bytes).digest("hex");
    const fingerprint = (bytes: Buffer) =>
      createHash("sha256")
        .update(String(bytes.length))
        .update(bytes.subarray(0, MiB))
        .update(bytes.subarray(bytes.length - MiB))
        .digest("hex");

    it("store_copy: false records the hash and uploads nothing", async () => {
      const cwd = await mkdtemp(path.join(os.tmpdir(), "s3-catalog-"));
      try {
        const prefix = `nocopy-${randomBytes(4).toString("hex")}`;
        await writeFile(path.join(cwd, "data.csv"), "a,b\n");
        const [entry] = await open(cwd, prefix).put("data.csv", "run-1", { storeCopy: false });
        expect(entry).toMatchObject({ name: "data.csv", data_hash: sha256("a,b\n"), catalog_relative_path: "run-1/data.csv", stage: "put" });
        await expect(client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${prefix}/run-1/data.csv` }))).rejects.toMatchObject({
          $metadata: { httpStatusCode: 404 },
        });
      } finally {
        await rm(cwd, { recursive: true, force: true });
      }
    });

    it("identifies files from the threshold on by the fingerprint when asked (put, get, store_copy: false)", async () => {
      const cwd = await mkdtemp(path.join(os.tmpdir(), "s3-catalog-"));
      try {
        const prefix = `fp-${randomBytes(4).toString("hex")}`;
        const config = s3CatalogPlugin.configSchema.parse({
          bucket: BUCKET,
          prefix,
          endpoint_url: s3Endpoint,
          force_path_style: true,
          large_file_hash: "fingerprint",
          large_file_threshold_bytes: 6 * MiB,
        });
        const catalog = createS3Catalog(config, { cwd, env: S3_TEST_ENV, warn: () => undefined });
        expect(catalog.recordedConfig).toMatchObject({ large_file_hash: "fingerprint", large_file_threshold_bytes: 6 * MiB });
        const big = randomBytes(6 * MiB + 7);
        await writeFile(path.join(cwd, "big.bin"), big);
        await writeFile(path.join(cwd, "small.bin"), "small");
        const put = await catalog.put("*.bin", "run-1");
        expect(put.map((e) => [e.name, e.data_hash])).toEqual([
          ["big.bin", fingerprint(big)],
          ["small.bin", sha256("small")],
        ]);
        await rm(path.join(cwd, "big.bin"));
        expect((await catalog.get("big.bin", "run-1")).map((e) => e.data_hash)).toEqual([fingerprint(big)]);
        expect((await readFile(path.join(cwd, "big.bin"))).equals(big)).toBe(true);
        expect((await catalog.put("big.bin", "run-2", { storeCopy: false })).map((e) => e.data_hash)).toEqual([fingerprint(big)]);
      } finally {
        await rm(cwd, { recursive: true, force: true });
      }
    });

    it("serves runnable 0.50's minio catalog: endpoint, keys and bucket[/prefix] from its config, recorded under its name without the keys", async () => {
      const cwd = await mkdtemp(path.join(os.tmpdir(), "s3-catalog-"));
      try {
        const prefix = `minio-${randomBytes(4).toString("hex")}`;
        const config = minioCatalogPlugin.configSchema.parse({
          endpoint_url: s3Endpoint,
          aws_access_key_id: "minio-key",
          aws_secret_access_key: "minio-secret",
          bucket: `${BUCKET}/${prefix}`,
        });
        // No credentials in the environment: the config's keys are used (moto accepts any).
        const catalog = await minioCatalogPlugin.create(config, { cwd, env: {}, warn: () => undefined });
        expect(catalog.type).toBe("minio");
        expect(JSON.stringify(catalog.recordedConfig)).not.toContain("minio-secret");
        expect(catalog.recordedConfig).toMatchObject({ bucket: BUCKET, prefix, endpoint_url: s3Endpoint, force_path_style: true });
        await writeFile(path.join(cwd, "x.txt"), "x");
        await catalog.put("x.txt", "run-1");
        const head = await client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${prefix}/run-1/x.txt` }));
        expect(head.ContentLength).toBe(1);
        expect(minioCatalogPlugin.configSchema.parse({})).toEqual({
          endpoint_url: "http://localhost:9002",
          aws_access_key_id: "minioadmin",
          aws_secret_access_key: "minioadmin",
          bucket: "runnable",
          timeout_seconds: 20,
        });
        expect(minioCatalogPlugin.configSchema.safeParse({ bucket: "Bad_Bucket" }).success).toBe(false);
      } finally {
        await rm(cwd, { recursive: true, force: true });
      }
    });
  });
});
