import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Secrets } from "../../ports/secrets.js";

/** Options of {@link secretsContract}. */
export interface SecretsContractOptions {
  /** False for handlers that know no secrets (e.g. `do-nothing`, which answers "" for every name). */
  storesSecrets?: boolean;
}

/** The secrets every implementation under contract is seeded with (awkward values on purpose). */
export const CONTRACT_SECRETS: Readonly<Record<string, string>> = {
  plain: "value",
  spaced: "a value with spaces",
  symbols: "p#ss=w0rd!$HOME",
  quotes: `say "hi" and 'bye'`,
  backslash: "C:\\path\\n",
  multiline: "line1\nline2",
  unicode: "naïve ✓",
  empty: "",
};

/**
 * The promises every Secrets handler keeps, as a vitest suite. `makeSecrets(seed, cwd)` builds a handler
 * that knows exactly the secrets in `seed` (cwd is a fresh temp folder it may write files into).
 */
export function secretsContract(
  name: string,
  makeSecrets: (seed: Readonly<Record<string, string>>, cwd: string) => Secrets | Promise<Secrets>,
  options: SecretsContractOptions = {},
): void {
  const stores = options.storesSecrets ?? true;

  describe(`Secrets contract: ${name}`, () => {
    let cwd = "";
    let secrets: Secrets;

    beforeEach(async () => {
      cwd = await mkdtemp(path.join(os.tmpdir(), "secrets-contract-"));
      secrets = await makeSecrets(CONTRACT_SECRETS, cwd);
    });

    afterEach(async () => {
      await rm(cwd, { recursive: true, force: true });
    });

    it("has a type and a JSON-serialisable recordedConfig", () => {
      expect(secrets.type).toMatch(/^[a-z0-9-]+$/);
      expect(JSON.parse(JSON.stringify(secrets.recordedConfig))).toEqual(secrets.recordedConfig);
    });

    it("declares where its values come from (what other plug-ins' rules read instead of its type name)", () => {
      expect(["host-environment", "file", "none"]).toContain(secrets.traits.source);
      if (secrets.traits.source === "file") expect(path.isAbsolute(secrets.traits.file?.path ?? "")).toBe(true);
    });

    it("returns each known secret exactly", async () => {
      for (const [key, value] of Object.entries(CONTRACT_SECRETS)) {
        expect(await secrets.get(key)).toBe(stores ? value : "");
      }
    });

    it("fails with SECRET_NOT_FOUND naming an unknown secret", async () => {
      if (!stores) return expect(await secrets.get("no_such_secret")).toBe("");
      await expect(secrets.get("no_such_secret")).rejects.toMatchObject({
        code: "SECRET_NOT_FOUND",
        message: expect.stringContaining("no_such_secret"),
      });
    });

    it("does not mistake object prototype names for secrets", async () => {
      for (const key of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
        if (!stores) expect(await secrets.get(key)).toBe("");
        else await expect(secrets.get(key)).rejects.toMatchObject({ code: "SECRET_NOT_FOUND" });
      }
    });

    it("gives stable answers to repeated and concurrent calls", async () => {
      const keys = Object.keys(CONTRACT_SECRETS);
      const [first, second] = await Promise.all([Promise.all(keys.map((key) => secrets.get(key))), Promise.all(keys.map((key) => secrets.get(key)))]);
      expect(second).toEqual(first);
      expect(await secrets.get("plain")).toBe(first[0]);
    });
  });
}
