import { RunnableError } from "../../../core/errors.js";
import type { Catalog } from "../../../ports/catalog.js";
import type { PluginContext } from "../../../ports/plugin.js";

/** A catalog whose operations do nothing and return no entries (`get` never fails). */
export function createDoNothingCatalog(context: PluginContext): Catalog {
  void context; // its warning comes from its rule (index.ts), checked before a run
  return {
    type: "do-nothing",
    recordedConfig: {},
    traits: { copies: false, sharing: "none" },
    get: async () => [],
    put: async () => [],
    putContent: async () => [],
    createContent: async () => {
      let bytes = 0;
      return {
        get bytes() {
          return bytes;
        },
        write: (chunk) => void (bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length),
        commit: async () => [],
        abort: async () => undefined,
      };
    },
    syncBetweenRuns: async () => {},
    readFile: async (_runId, relativePath) => {
      throw new RunnableError("CATALOG_ERROR", `No file ${relativePath}: the do-nothing catalog stores no files`);
    },
    deleteRun: async () => ({ freedBytes: 0 }),
  };
}
