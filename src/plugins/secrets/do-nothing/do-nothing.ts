import type { PluginContext } from "../../../ports/plugin.js";
import type { Secrets } from "../../../ports/secrets.js";

/** Secrets that are all "" (never fails); warns once per name, since a task asking for one likely expects a value. */
export function createDoNothingSecrets(context: PluginContext): Secrets {
  const warned = new Set<string>();
  return {
    type: "do-nothing",
    recordedConfig: {},
    traits: { source: "none" },
    async get(name) {
      if (!warned.has(name)) {
        warned.add(name);
        context.warn(`Secret "${name}" was requested but the secrets handler is do-nothing: using an empty string.`);
      }
      return "";
    },
  };
}
