import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RunnableError } from "../core/errors.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json; charset=utf-8",
};

/** A built asset held in memory. */
export interface Asset {
  type: string;
  body: Buffer;
}

/**
 * The folder of the built web app: `dist/web`, found from the running code — `dist/ui/*.js`, the CLI
 * bundle `dist/cli/*.mjs` or one of its chunks `dist/cli/bundle/*.mjs` — or, when running from sources
 * (`src/ui`), the package's `dist/web`.
 */
export function findAssetsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates: string[] = [];
  for (let up = 1, dir = path.dirname(here); up <= 3; up += 1, dir = path.dirname(dir)) {
    candidates.push(path.basename(dir) === "dist" ? path.join(dir, "web") : path.join(dir, "dist", "web"));
  }
  const found = candidates.find((dir) => existsSync(path.join(dir, "index.html")));
  if (!found) {
    throw new RunnableError("FILE_NOT_FOUND", `The web app's files are missing (looked in ${candidates.join(", ")})`, {
      hint: "Build the package first: npm run build (npm ci runs it).",
    });
  }
  return found;
}

/** Loads every built asset once, keyed by URL path; only these paths are ever served. */
export async function loadAssets(dir: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const urlPath = `/${path.relative(dir, file).split(path.sep).join("/")}`;
    assets.set(urlPath, { type: TYPES[path.extname(file)] ?? "application/octet-stream", body: await readFile(file) });
  }
  const index = assets.get("/index.html");
  if (index) assets.set("/", index);
  return assets;
}
