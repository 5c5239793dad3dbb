import { describe, expect, it } from "vitest";
import { secretsContract } from "../../../testing/contracts/secrets.contract.js";
import { doNothingSecretsPlugin } from "./index.js";

secretsContract("do-nothing", (_seed, cwd) => doNothingSecretsPlugin.create({}, { cwd, env: {}, warn: () => {} }), {
  storesSecrets: false,
});

describe("do-nothing secrets", () => {
  it("accepts no config keys", () => {
    expect(doNothingSecretsPlugin.configSchema.safeParse({}).success).toBe(true);
    expect(doNothingSecretsPlugin.configSchema.safeParse({ location: ".env" }).success).toBe(false);
  });

  it("returns an empty string for every name and warns once per name", async () => {
    const warnings: string[] = [];
    const secrets = await doNothingSecretsPlugin.create({}, { cwd: "/", env: { a: "set" }, warn: (m) => warnings.push(m) });
    expect(secrets.type).toBe("do-nothing");
    expect(secrets.recordedConfig).toEqual({});
    expect(await secrets.get("a")).toBe("");
    expect(await secrets.get("a")).toBe("");
    expect(await secrets.get("b")).toBe("");
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('"a"');
  });
});
