// The command line's V8 start-up snapshot (issue 25): src/cli/snapshot-entry.ts bundled into one
// CommonJS script, dist/cli/bundle/runnable-snapshot.cjs, from which `node --build-snapshot` writes
// dist/cli/runnable.blob, plus dist/cli/runnable.blob.json saying which Node.js binary it is for (a blob
// only loads into the Node.js that built it). bin/runnable starts `node --snapshot-blob` with it when it
// fits the `node` on PATH, else bin/runnable.js; src/io/cli-launch.ts does the same for the processes the
// package starts itself. Run by `npm run build` (scripts/build-cli.mjs).
//
// Three things differ from the ES-module bundle (scripts/cli-bundle.mjs), all because the snapshot's
// script runs in a heap restored by V8 rather than loaded by Node's module loader:
// - `require` of a package: the script's own require only knows Node's built-in modules, so the bundle
//   requires packages (pg, the AWS SDK, yaml) through a require made for its file at run time; while the
//   snapshot is built, requiring a package is an error (its state would be saved in the blob);
// - `import()`: the script has none; src/io/dynamic-import.ts is replaced by a loader from a file on disk;
// - `node:worker_threads` is loaded on first use (Node sets its main-thread state up when it loads it, and
//   that state does not survive the snapshot).
import { execFileSync } from "node:child_process";
import { realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { englishOnlyZodLocales, root } from "./cli-bundle.mjs";

/** Prepended to the bundle: the require described above. `__runnableSnapshotRequire` is the script's own. */
const PRELUDE = `var __runnableSnapshotRequire = require;
var __runnableMetaUrl = __runnableSnapshotRequire("node:url").pathToFileURL(__filename).href;
var __runnablePackageRequire;
var __runnableDynamicImport = __runnableSnapshotRequire("node:path").join(__dirname, "dynamic-import.cjs");
var __runnableDeferred = new Set(["node:worker_threads", "worker_threads"]);
var require = function (id) {
  var builtin = __runnableSnapshotRequire("node:module").isBuiltin(id);
  var v8 = __runnableSnapshotRequire("node:v8");
  if (builtin && !(__runnableDeferred.has(id) && v8.startupSnapshot.isBuildingSnapshot())) return __runnableSnapshotRequire(id);
  if (builtin) return new Proxy({}, { get: function (_, key) { return __runnableSnapshotRequire(id)[key]; } });
  if (v8.startupSnapshot.isBuildingSnapshot()) throw new Error("the start-up snapshot's warm-up loaded the package " + JSON.stringify(id) + ": its state would be saved in the snapshot (load it on first use instead)");
  __runnablePackageRequire = __runnablePackageRequire || __runnableSnapshotRequire("node:module").createRequire(__filename);
  return __runnablePackageRequire(id);
};
`;

/** dist/cli/dynamic-import.cjs: \`import()\` from a module Node's loader loaded, which the snapshot's script cannot do itself. */
const DYNAMIC_IMPORT = "// import() for the command line's start-up snapshot (scripts/cli-snapshot.mjs)\nmodule.exports = (specifier) => import(specifier);\n";

/** src/io/dynamic-import.ts in the snapshot's bundle: the loader above. */
const snapshotDynamicImport = {
  name: "snapshot-dynamic-import",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]io[\\/]dynamic-import\.ts$/ }, () => ({
      contents: "export function dynamicImport(specifier) { return require(__runnableDynamicImport)(specifier); }\n",
      loader: "js",
    }));
  },
};

/**
 * fdir (under tinyglobby) requires `picomatch` at load when it can, for an API tinyglobby does not use;
 * in the snapshot that would be a package loaded while building.
 */
const fdirWithoutOptionalPicomatch = {
  name: "fdir-without-optional-picomatch",
  setup(b) {
    b.onLoad({ filter: /[\\/]fdir[\\/]dist[\\/]index\.mjs$/ }, async (args) => {
      const { readFile } = await import("node:fs/promises");
      const text = await readFile(args.path, "utf8");
      const stubbed = text.replace("createRequire(import.meta.url)", '(() => { throw new Error("not in the snapshot"); })');
      if (stubbed === text) throw new Error(`${args.path}: fdir no longer creates its require as expected; update scripts/cli-snapshot.mjs`);
      return { contents: stubbed, loader: "js" };
    });
  },
};

/** Bundles the snapshot's script into `out` and builds the blob; returns the blob's path. */
export async function buildCliSnapshot(out, external) {
  // In bundle/ beside the ES-module chunks: the code finds its files (the task worker, dist/web) from its own URL.
  const script = path.join(out, "bundle", "runnable-snapshot.cjs");
  const result = await build({
    entryPoints: [path.join(root, "src", "cli", "snapshot-entry.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outfile: script,
    external,
    define: { "import.meta.url": "__runnableMetaUrl" },
    banner: { js: PRELUDE },
    plugins: [englishOnlyZodLocales, snapshotDynamicImport, fdirWithoutOptionalPicomatch],
    metafile: true,
    // Whitespace only: a smaller heap to restore (names and stack traces stay readable).
    minifyWhitespace: true,
    logLevel: "warning",
  });
  const dynamic = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.kind === "dynamic-import"));
  if (dynamic.length > 0) {
    throw new Error(`the snapshot's bundle keeps import() of ${dynamic.map((i) => i.path).join(", ")}: use src/io/dynamic-import.ts`);
  }
  writeFileSync(path.join(out, "bundle", "dynamic-import.cjs"), DYNAMIC_IMPORT);
  const blob = path.join(out, "runnable.blob");
  const partial = `${blob}.${process.pid}.tmp`;
  try {
    execFileSync(process.execPath, ["--no-warnings", "--snapshot-blob", partial, "--build-snapshot", script], { stdio: ["ignore", "inherit", "inherit"] });
    renameSync(partial, blob);
  } finally {
    rmSync(partial, { force: true });
  }
  const node = realpathSync(process.execPath);
  const stamp = { node: process.version, arch: process.arch, execPath: node, size: statSync(node).size };
  writeFileSync(path.join(out, "runnable.blob.json"), `${JSON.stringify(stamp)}\n`);
  // bin/runnable (a shell script) reads the binary's path from this line.
  writeFileSync(path.join(out, "runnable.blob.node"), `${node}\n`);
  return blob;
}
