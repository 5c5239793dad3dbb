// Bundles the CLI (src/cli/main.ts) into dist/cli/runnable.mjs plus chunks under dist/cli/bundle/ that
// load on first use (plug-ins, the run browser's server). Run by `npm run build`.
// What start-up loads is compiled on every run, so the bundle leaves out what no run needs: zod's
// translations of its messages into 40-odd languages (~360 KB; runnable-ts words its own messages and
// keeps zod's English default). The AWS SDK, pg, picomatch, tsx and yaml (needed only to locate problems
// in a pipeline file; src/source/yaml-source.ts) stay packages, loaded when used.
import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "dist", "cli");
await rm(path.join(out, "bundle"), { recursive: true, force: true });

/** zod's `locales` namespace reduced to English, the locale zod registers by default. */
const englishOnlyZodLocales = {
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
  external: ["tsx", "@aws-sdk/*", "pg", "picomatch", "yaml"],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [englishOnlyZodLocales],
  logLevel: "warning",
});
