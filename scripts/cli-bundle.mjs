// The esbuild set-up of the bundled CLI (src/cli/main.ts → runnable.mjs plus chunks under bundle/ that
// load on first use: plug-ins, the run browser's server), shared by the npm package's build
// (scripts/build-cli.mjs) and the Python wheel's (scripts/build-python.mjs), which differ in what stays
// an external package.
// What start-up loads is compiled on every run, so the bundle leaves out what no run needs: zod's
// translations of its messages into 40-odd languages (~360 KB; runnable-ts words its own messages and
// keeps zod's English default).
import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** The repository's root folder. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** zod's `locales` namespace reduced to English, the locale zod registers by default. */
export const englishOnlyZodLocales = {
  name: "english-only-zod-locales",
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`)
        ? { path: path.join(path.dirname(args.importer), "../locales/index.js"), namespace: "zod-locales" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(path.dirname(args.path), "en.js"))};\n`,
      resolveDir: path.dirname(args.path),
      loader: "js",
    }));
  },
};

/** Bundles the CLI into `out` (runnable.mjs, bundle/*.mjs), leaving the packages named in `external` out. */
export async function bundleCli(out, external) {
  await rm(path.join(out, "bundle"), { recursive: true, force: true });
  await build({
    // The TypeScript task runner's worker threads load their own entry, beside the runner's chunk.
    entryPoints: {
      runnable: path.join(root, "src", "cli", "main.ts"),
      "bundle/task-worker": path.join(root, "src", "plugins", "task", "typescript", "task-worker.ts"),
    },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outdir: out,
    outExtension: { ".js": ".mjs" },
    chunkNames: "bundle/[name]-[hash]",
    external,
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: [englishOnlyZodLocales],
    logLevel: "warning",
  });
}
