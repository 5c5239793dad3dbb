import { RunnableError } from "../core/errors.js";
import type { Catalog } from "../ports/catalog.js";
import type { LogPage, LogQuery } from "./log-page.js";

export type { LogPage, LogQuery };

/** Most bytes of an execution log the viewer reads (the download has the whole file). */
export const LOG_VIEW_LIMIT = 64 * 1024 * 1024;

/** Reads an execution log from the catalog (masked as it was stored) and cuts a page of lines. */
export async function readLogPage(catalog: Catalog, runId: string, name: string, query: LogQuery): Promise<LogPage> {
  const file = await catalog.readFile(runId, name);
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of file.open()) {
    chunks.push(Buffer.from(chunk));
    bytes += chunk.byteLength;
    if (bytes >= LOG_VIEW_LIMIT) break;
  }
  if (bytes === 0 && file.size > 0) throw new RunnableError("CATALOG_ERROR", `Could not read ${name}`);
  const text = Buffer.concat(chunks).subarray(0, LOG_VIEW_LIMIT).toString("utf8");
  const all = text.length === 0 ? [] : text.replace(/\n$/, "").split("\n");
  const needle = query.q?.toLowerCase() ?? "";
  const numbered: Array<[number, string]> = [];
  all.forEach((line, index) => {
    if (!needle || line.toLowerCase().includes(needle)) numbered.push([index + 1, line]);
  });
  const offset = Math.max(0, query.offset ?? 0);
  const limit = Math.min(Math.max(1, query.limit ?? 500), 5000);
  return {
    name,
    size: file.size,
    total_lines: all.length,
    matched: numbered.length,
    offset,
    lines: numbered.slice(offset, offset + limit),
    truncated: file.size > LOG_VIEW_LIMIT,
  };
}
