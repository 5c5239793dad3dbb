import { createReadStream, createWriteStream } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { RunnableError, messageOf } from "../core/errors.js";
import type { Catalog } from "../ports/catalog.js";

// Objects returned by tasks (runnable 0.50's `pickled(...)` / `kind: object`) live as files of the run's
// catalog, beside its data, as 0.50 keeps them (`<catalog>/<run id>/<name>.dill`). They move by streaming:
// a 100 MB object is never held in this process' memory, and is copied once each way.

/** Streams the attempt's file `path` into the run's catalog as `name`, then removes the file. */
export async function storeObject(catalog: Catalog, runId: string, name: string, path: string): Promise<void> {
  const writer = await catalog.createContent(name, runId);
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) writer.write(chunk as Buffer);
    await writer.commit();
  } catch (error) {
    await writer.abort().catch(() => undefined);
    throw new RunnableError("CATALOG_ERROR", `could not store the object file ${name} in the catalog: ${messageOf(error)}`, { cause: error });
  } finally {
    await rm(path, { force: true });
  }
}

/** Copies the run's object file `name` to `path` (streamed). */
export async function fetchObject(catalog: Catalog, runId: string, name: string, path: string): Promise<void> {
  let stored: Awaited<ReturnType<Catalog["readFile"]>>;
  try {
    stored = await catalog.readFile(runId, name);
  } catch (error) {
    throw new RunnableError("CATALOG_ERROR", `the object file ${name} is not in the catalog of run ${runId}: ${messageOf(error)}`, {
      hint: "an object parameter names an object a task returned earlier in this run (returns with kind object); was that step run?",
      cause: error,
    });
  }
  await pipeline(stored.open(), createWriteStream(path, { mode: 0o600 }));
}

/** A run's objects held in this process's memory (runnable 0.50's `object_serialisation: false`). */
export interface MemoryObjects {
  /** Reads the attempt's file `path` into memory as `name`, then removes the file. */
  put(name: string, path: string): Promise<void>;
  /** Writes the object `name` to `path`. */
  get(name: string, path: string, runId: string): Promise<void>;
}

/** Objects kept in memory for one run: never written to the catalog, gone when the run's process ends. */
export function createMemoryObjects(): MemoryObjects {
  const objects = new Map<string, Buffer>();
  return {
    async put(name, path) {
      try {
        objects.set(name, await readFile(path));
      } finally {
        await rm(path, { force: true });
      }
    },
    async get(name, path, runId) {
      const data = objects.get(name);
      if (!data) {
        throw new RunnableError(
          "CATALOG_ERROR",
          `the object ${name} is not in the memory of run ${runId} (the executor keeps objects in memory: object_serialisation: false)`,
          {
            hint: "objects kept in memory live only as long as the run's process; a retry or a step run in another process cannot load them: set object_serialisation: true",
          },
        );
      }
      await writeFile(path, data, { mode: 0o600 });
    },
  };
}
