import { mkdir, mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PluginContext } from "../../../ports/plugin.js";
import { secretsContract } from "../../../testing/contracts/secrets.contract.js";
import { createDotenvSecrets } from "./dotenv.js";
import { dotenvSecretsPlugin } from "./index.js";

const context = (cwd: string): PluginContext => ({ cwd, env: {}, warn: () => {} });
const quote = (value: string): string => `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`;

secretsContract("dotenv", async (seed, cwd) => {
  const lines = Object.entries(seed).map(([key, value]) => `export ${key}=${quote(value)} # seeded`);
  await writeFile(path.join(cwd, ".env"), `# contract secrets\n${lines.join("\n")}\n`);
  return dotenvSecretsPlugin.create(dotenvSecretsPlugin.configSchema.parse({}), context(cwd));
});

describe("dotenv secrets", () => {
  let cwd = "";
  beforeEach(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "dotenv-"));
  });
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it("defaults location to .env, records it and rejects unknown keys", () => {
    expect(dotenvSecretsPlugin.configSchema.parse({})).toEqual({ location: ".env" });
    expect(dotenvSecretsPlugin.configSchema.safeParse({ location: ".env", secrets: {} }).success).toBe(false);
    expect(createDotenvSecrets({ location: "conf/secrets.env" }, context(cwd)).recordedConfig).toEqual({
      location: "conf/secrets.env",
    });
  });

  it("reads a location relative to the working directory", async () => {
    await mkdir(path.join(cwd, "conf"));
    await writeFile(path.join(cwd, "conf", "s.env"), "token=abc # comment\n");
    expect(await createDotenvSecrets({ location: "conf/s.env" }, context(cwd)).get("token")).toBe("abc");
  });

  it("reads the file lazily and only once", async () => {
    const secrets = createDotenvSecrets({ location: ".env" }, context(cwd));
    await writeFile(path.join(cwd, ".env"), "a=1\n");
    expect(await secrets.get("a")).toBe("1");
    await unlink(path.join(cwd, ".env"));
    expect(await secrets.get("a")).toBe("1");
  });

  it("fails with FILE_NOT_FOUND naming the file when it is missing", async () => {
    const secrets = createDotenvSecrets({ location: "missing.env" }, context(cwd));
    await expect(secrets.get("a")).rejects.toMatchObject({
      code: "FILE_NOT_FOUND",
      message: expect.stringContaining(path.join(cwd, "missing.env")),
    });
  });

  it("fails with SECRET_NOT_FOUND naming the secret and the file", async () => {
    await writeFile(path.join(cwd, ".env"), "a=1\n");
    await expect(createDotenvSecrets({ location: ".env" }, context(cwd)).get("b")).rejects.toMatchObject({
      code: "SECRET_NOT_FOUND",
      message: "No secret found by name: b in .env",
      hint: expect.stringContaining("b=<value>"),
    });
  });

  it("reports every malformed line with file:line", async () => {
    await writeFile(path.join(cwd, ".env"), "ok=1\nnot a pair\nq='open\n");
    const failure = createDotenvSecrets({ location: ".env" }, context(cwd)).get("ok");
    await expect(failure).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringContaining(".env:2:1: expected KEY=value"),
      problems: [expect.objectContaining({ file: ".env", line: 2 }), expect.objectContaining({ file: ".env", line: 3 })],
    });
  });

  it("fixes runnable's parsing defects (#47)", async () => {
    await writeFile(path.join(cwd, ".env"), "settings=1\nkey = v\nhash=\"a#b\"\neq=a=b\nq='sq'\n");
    const secrets = createDotenvSecrets({ location: ".env" }, context(cwd));
    expect(await secrets.get("settings")).toBe("1");
    expect(await secrets.get("key")).toBe("v");
    expect(await secrets.get("hash")).toBe("a#b");
    expect(await secrets.get("eq")).toBe("a=b");
    expect(await secrets.get("q")).toBe("sq");
  });
});
