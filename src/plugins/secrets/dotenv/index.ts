import { z } from "zod";
import { definePlugin } from "../../../ports/plugin.js";

/** Config of the `dotenv` secrets handler: the file's path, relative to the working directory. */
export const dotenvSecretsConfigSchema = z.strictObject({
  location: z.string().min(1).default(".env"),
});

/** The `dotenv` secrets handler: reads `KEY=value` lines from a file (read once, on first use). */
export const dotenvSecretsPlugin = definePlugin({
  kind: "secrets",
  type: "dotenv",
  description: "Reads secrets from a .env file of KEY=value lines (default .env)",
  configSchema: dotenvSecretsConfigSchema,
  create: async (config, context) => (await import("./dotenv.js")).createDotenvSecrets(config, context),
});
