import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  dataHashAfterCopy,
  dataHashFields,
  dataHashOfFile,
  dataHashSettings,
  FINGERPRINT_CHUNK_BYTES,
  fingerprintOfFile,
  recordedDataHash,
  sha256OfFile,
} from "./data-hash.js";

const MiB = FINGERPRINT_CHUNK_BYTES;
const sha256 = (...parts: (string | Buffer)[]): string => {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
};
/** runnable 0.50's venv (scripts/runnable-050-venv.sh), when installed: its own get_data_hash cross-checks ours. */
const VENV_PYTHON = path.join(process.env["RUNNABLE_050_VENV"] || path.join(os.homedir(), ".cache", "runnable-ts", "runnable-050-venv"), "bin", "python");

describe("data hash", () => {
  let dir = "";
  const sizes = [0, 5, MiB - 1, MiB, MiB + 1, 2 * MiB - 7, 2 * MiB, 3 * MiB + 12345];
  const files = new Map<number, { file: string; bytes: Buffer }>();
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "data-hash-"));
    for (const size of sizes) {
      const bytes = randomBytes(size);
      const file = path.join(dir, `f${size}.bin`);
      await writeFile(file, bytes);
      files.set(size, { file, bytes });
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("sha256OfFile is the SHA-256 of the whole content", async () => {
    for (const { file, bytes } of files.values()) expect(await sha256OfFile(file)).toBe(sha256(bytes));
  });

  it("fingerprintOfFile is runnable 0.50's: SHA-256 of the size in decimal, the first MiB and the last MiB (after the first)", async () => {
    for (const [size, { file, bytes }] of files) {
      const first = bytes.subarray(0, Math.min(MiB, size));
      const last = size > MiB ? bytes.subarray(size - Math.min(MiB, size - first.length)) : Buffer.alloc(0);
      expect(await fingerprintOfFile(file, size), `size ${size}`).toBe(sha256(String(size), first, last));
    }
  });

  it("uses the fingerprint only when asked, from the threshold on", async () => {
    expect(z.strictObject(dataHashFields()).parse({})).toEqual({});
    const settings = dataHashSettings(z.strictObject(dataHashFields()).parse({}));
    expect(settings).toEqual({ large_file_hash: "sha256", large_file_threshold_bytes: 1024 ** 3 });
    expect(dataHashSettings({ large_file_hash: "fingerprint" })).toEqual({ large_file_hash: "fingerprint", large_file_threshold_bytes: 1024 ** 3 });
    expect(recordedDataHash(settings)).toEqual({});
    const { file, bytes } = files.get(2 * MiB)!;
    expect(await dataHashOfFile(file, settings)).toBe(sha256(bytes));
    const asked = { large_file_hash: "fingerprint" as const, large_file_threshold_bytes: 2 * MiB };
    expect(recordedDataHash(asked)).toEqual(asked);
    expect(await dataHashOfFile(file, asked)).toBe(await fingerprintOfFile(file, 2 * MiB));
    expect(await dataHashAfterCopy(asked, file, "copied-sha")).toBe(await fingerprintOfFile(file, 2 * MiB));
    const small = files.get(MiB)!.file;
    expect(await dataHashOfFile(small, asked)).toBe(sha256(files.get(MiB)!.bytes));
    expect(await dataHashAfterCopy(asked, small, "copied-sha")).toBe("copied-sha");
  });

  it.skipIf(!existsSync(VENV_PYTHON))("gives runnable 0.50.0's own fingerprint and full hash (its runnable.utils, when its venv is installed)", async () => {
    const script = [
      "import json, sys",
      "from runnable import utils",
      "out = {}",
      "for size, name in json.loads(sys.argv[1]):",
      "    out[name] = [utils._compute_full_file_hash(name), utils._compute_large_file_fingerprint(name, size)]",
      "print(json.dumps(out))",
    ].join("\n");
    const args = JSON.stringify([...files].map(([size, { file }]) => [size, file]));
    // (Importing runnable prints a greeting first: the answer is the last line.)
    const output = execFileSync(VENV_PYTHON, ["-c", script, args], { encoding: "utf8" }).trim().split("\n");
    const theirs = JSON.parse(output[output.length - 1]!) as Record<string, [string, string]>;
    for (const [size, { file }] of files) {
      expect(await sha256OfFile(file)).toBe(theirs[file]![0]);
      expect(await fingerprintOfFile(file, size), `size ${size}`).toBe(theirs[file]![1]);
    }
  });
});
