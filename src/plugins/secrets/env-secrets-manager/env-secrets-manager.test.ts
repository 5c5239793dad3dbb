import { describe, expect, it } from "vitest";
import { secretsContract } from "../../../testing/contracts/secrets.contract.js";
import { createEnvSecretsManager } from "./env-secrets-manager.js";
import { envSecretsManagerPlugin } from "./index.js";

const withEnv = (env: Record<string, string | undefined>) => ({ cwd: "/", env, warn: () => {} });

secretsContract("env-secrets-manager", (seed) => envSecretsManagerPlugin.create(envSecretsManagerPlugin.configSchema.parse({}), withEnv({ ...seed })));
secretsContract("env-secrets-manager (prefix and suffix)", (seed) => {
  const env = Object.fromEntries(Object.entries(seed).map(([key, value]) => [`APP_${key}_V1`, value]));
  return envSecretsManagerPlugin.create({ prefix: "APP_", suffix: "_V1" }, withEnv({ ...env, plain_other: "x" }));
});

describe("env-secrets-manager", () => {
  it("defaults prefix and suffix to empty strings, records them and rejects unknown keys", () => {
    expect(envSecretsManagerPlugin.configSchema.parse({})).toEqual({ prefix: "", suffix: "" });
    expect(envSecretsManagerPlugin.configSchema.safeParse({ prefix: 1 }).success).toBe(false);
    expect(envSecretsManagerPlugin.configSchema.safeParse({ environment: {} }).success).toBe(false);
    expect(createEnvSecretsManager({ prefix: "P_", suffix: "" }, withEnv({})).recordedConfig).toEqual({
      prefix: "P_",
      suffix: "",
    });
  });

  it("names the environment variable it looked for", async () => {
    const secrets = createEnvSecretsManager({ prefix: "P_", suffix: "_S" }, withEnv({ token: "unprefixed" }));
    await expect(secrets.get("token")).rejects.toMatchObject({
      code: "SECRET_NOT_FOUND",
      message: "No secret found by name: token in environment variable P_token_S",
      hint: expect.stringContaining("export P_token_S="),
    });
  });

  it("treats an empty variable as a present, empty secret", async () => {
    expect(await createEnvSecretsManager({ prefix: "", suffix: "" }, withEnv({ blank: "" })).get("blank")).toBe("");
  });
});
