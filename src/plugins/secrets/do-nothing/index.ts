import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/** Config of the `do-nothing` secrets handler: no keys. */
export const doNothingSecretsConfigSchema = z.strictObject({});

/** The `do-nothing` secrets handler (the default): every secret is the empty string. */
export const doNothingSecretsPlugin = definePlugin({
  kind: "secrets",
  type: "do-nothing",
  description: "Returns an empty string for every secret (the default)",
  configSchema: doNothingSecretsConfigSchema,
  create: async (_config, context) => (await import("./do-nothing.js")).createDoNothingSecrets(context),
  rules: (self) => [
    { level: "info", service: "secrets", message: `secrets ${self.type}: steps that ask for a secret will fail; configure dotenv or env-secrets-manager` },
  ],
});
