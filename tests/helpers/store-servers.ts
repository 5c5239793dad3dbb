import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO } from "./cli.js";

// The AWS SDK warns about Node 20 on first use; the tests build clients of their own.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

/** Reads KEY=value lines of a state file the server scripts write (empty when missing). */
function stateOf(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

/** The URL of the PostgreSQL cluster scripts/postgres-server.sh started, or undefined. */
export const postgresUrl: string | undefined =
  process.env["RUNNABLE_TEST_PG_URL"] || stateOf(path.join(REPO, ".cache/postgres.env"))["RUNNABLE_TEST_PG_URL"] || undefined;

/** The endpoint of the S3 server scripts/s3-server.sh started, or undefined. */
export const s3Endpoint: string | undefined =
  process.env["RUNNABLE_TEST_S3_ENDPOINT"] || stateOf(path.join(REPO, ".cache/s3.env"))["RUNNABLE_TEST_S3_ENDPOINT"] || undefined;

/** Why postgres tests are skipped (undefined when a server is there). */
export const noPostgres = postgresUrl ? undefined : "no PostgreSQL server: run scripts/postgres-server.sh start";
/** Why S3 tests are skipped (undefined when a server is there). */
export const noS3 = s3Endpoint ? undefined : "no S3 server: run scripts/s3-server.sh start";

/** Credentials the S3 test server accepts (moto takes any). */
export const S3_TEST_ENV = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_REGION: "us-east-1" };

/** A database URL with another database name (a fresh schema is usually enough). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Starts tests/fixtures/store-lease-holder.ts: opens a store from `storeJson` (type + config), takes the
 * lease of `runId` with `ttlMs`, says "held" and waits to be killed. Resolves with its pid.
 */
export function holdLeaseWith(
  store: { type: string; config: Record<string, unknown> },
  runId: string,
  ttlMs: number,
  env: Record<string, string> = {},
): Promise<{ pid: number }> {
  const fixture = path.join(REPO, "tests/fixtures/store-lease-holder.ts");
  const child = spawn(process.execPath, ["--import", "tsx", fixture, JSON.stringify(store), runId, String(ttlMs)], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("held") && child.pid !== undefined) resolve({ pid: child.pid });
    });
    child.on("exit", (code) => reject(new Error(`lease holder exited with code ${code}`)));
  });
}
