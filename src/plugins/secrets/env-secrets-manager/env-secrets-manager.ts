import { RunnableError } from "../../../core/errors.js";
import type { PluginContext } from "../../../ports/plugin.js";
import type { Secrets } from "../../../ports/secrets.js";

/** Validated config of the env-secrets-manager. */
export interface EnvSecretsManagerConfig {
  prefix: string;
  suffix: string;
}

/** Secrets taken from the environment of the launching process (`<prefix><name><suffix>`); `type`: the name it was configured by. */
export function createEnvSecretsManager(config: EnvSecretsManagerConfig, context: PluginContext, type = "env-secrets-manager"): Secrets {
  return {
    type,
    traits: { source: "host-environment" },
    recordedConfig: { prefix: config.prefix, suffix: config.suffix },
    async get(name) {
      const variable = `${config.prefix}${name}${config.suffix}`;
      // Own properties only: `toString` must not be found on the object's prototype.
      const value = Object.hasOwn(context.env, variable) ? context.env[variable] : undefined;
      if (typeof value !== "string") {
        throw new RunnableError("SECRET_NOT_FOUND", `No secret found by name: ${name} in environment variable ${variable}`, {
          hint: `Set it before starting the run, e.g. export ${variable}=...`,
        });
      }
      return value;
    },
  };
}
