import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO } from "./cli.js";

// A project of a user's own, outside the repository, that installs runnable-ts from `npm pack`'s tarball.
// Offline: npm 11 reads full registry documents to resolve version ranges, and `npm ci` (all a clean CI
// machine has run) caches only the tarballs and abbreviated documents, so `npm install --offline` would
// fail with ENOTCACHED there. The project gets a package-lock.json instead, taken from this repository's
// (the versions `npm ci` put in the cache), and `npm ci --offline` installs it without resolving anything.

const run = promisify(execFile);

/** What `npm pack` made: the tarball's path and npm's figures. */
export interface Packed {
  tarball: string;
  integrity: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: string[];
}

/** `npm pack` of this repository into `dest` (without the build: `npm ci` built dist/ already). */
export async function packPackage(dest: string): Promise<Packed> {
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dest], { cwd: REPO });
  const [packed] = JSON.parse(stdout) as {
    filename: string;
    integrity: string;
    size: number;
    unpackedSize: number;
    entryCount: number;
    files: { path: string }[];
  }[];
  if (!packed) throw new Error(`npm pack printed nothing: ${stdout}`);
  return { ...packed, tarball: join(dest, packed.filename), files: packed.files.map((file) => file.path) };
}

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  [key: string]: unknown;
}

/** The version of `name` this repository's lockfile installs (a consumer asks for the same one). */
export async function lockedVersion(name: string): Promise<string> {
  const lock = JSON.parse(await readFile(join(REPO, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

/**
 * Writes `package.json` and `package-lock.json` of a consumer project in `dir` depending on the packed
 * runnable-ts (copied to `dir` by the caller as `tarballName`) and on `devDependencies` at this
 * repository's versions. npm drops what the lockfile holds and nothing needs (this repository's tools).
 */
export async function writeConsumerProject(
  dir: string,
  manifest: Record<string, unknown>,
  packed: Packed,
  tarballName: string,
  devDependencies: string[],
): Promise<void> {
  const lock = JSON.parse(await readFile(join(REPO, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const own = lock.packages[""] as LockEntry;
  const dependencies = { "runnable-ts": `file:${tarballName}` };
  const dev = Object.fromEntries(await Promise.all(devDependencies.map(async (name) => [name, await lockedVersion(name)] as const)));
  const packages: Record<string, LockEntry> = { "": { name: manifest["name"], dependencies, devDependencies: dev } };
  for (const [path, entry] of Object.entries(lock.packages)) if (path !== "") packages[path] = entry;
  const { name: _name, devDependencies: _dev, version, ...published } = own;
  packages["node_modules/runnable-ts"] = { ...published, version, resolved: `file:${tarballName}`, integrity: packed.integrity };
  await writeFile(join(dir, "package.json"), `${JSON.stringify({ ...manifest, dependencies, devDependencies: dev }, null, 2)}\n`);
  await writeFile(join(dir, "package-lock.json"), `${JSON.stringify({ name: manifest["name"], lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
}

/** `npm ci --offline` in `dir`; resolves with the time it took (ms). */
export async function installOffline(dir: string): Promise<number> {
  const started = performance.now();
  await run("npm", ["ci", "--offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir });
  return performance.now() - started;
}
