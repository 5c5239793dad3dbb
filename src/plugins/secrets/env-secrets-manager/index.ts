import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/** Config of the `env-secrets-manager`: the secret `x` is read from env var `<prefix>x<suffix>`. */
export const envSecretsManagerConfigSchema = z.strictObject({
  prefix: z.string().default(""),
  suffix: z.string().default(""),
});

/** The `env-secrets-manager` secrets handler: secrets are environment variables of the launching process. */
export const envSecretsManagerPlugin = definePlugin({
  kind: "secrets",
  type: "env-secrets-manager",
  description: "Reads secrets from environment variables named <prefix><name><suffix>",
  configSchema: envSecretsManagerConfigSchema,
  create: async (config, context) => (await import("./env-secrets-manager.js")).createEnvSecretsManager(config, context),
});

/** runnable 0.50's name of this handler (`secrets: {type: env-secrets}`, 0.50's default): the same handler and config. */
export const envSecretsPlugin = definePlugin({
  kind: "secrets",
  type: "env-secrets",
  description: "runnable 0.50's env-secrets: reads secrets from environment variables named <prefix><name><suffix> (as env-secrets-manager)",
  configSchema: envSecretsManagerConfigSchema,
  create: async (config, context) => (await import("./env-secrets-manager.js")).createEnvSecretsManager(config, context, "env-secrets"),
});
