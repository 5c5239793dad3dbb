// Bundles the parts of @kubernetes/client-node the k8s-job executors use (KubeConfig, the batch and core
// APIs, Watch) into one module, dist/vendor/kubernetes-client.mjs. Run by `npm run build`.
// Why: the package is ~970 ES modules (every API group and ~850 models behind one index, which its
// KubeConfig imports too); Node links them one file at a time, ~1 s of CPU before the first request.
// One bundled file loads in ~0.1 s. src/plugins/executor/k8s-job/submit.ts loads it when present and
// falls back to the package (the Python wheel's CLI bundles the package itself).
import path from "node:path";
import { build } from "esbuild";
import { root } from "./cli-bundle.mjs";

await build({
  stdin: {
    contents: 'export { KubeConfig, BatchV1Api, CoreV1Api, Watch } from "@kubernetes/client-node";\n',
    resolveDir: root,
    sourcefile: "kubernetes-client-entry.mjs",
  },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile: path.join(root, "dist", "vendor", "kubernetes-client.mjs"),
  // CommonJS dependencies (js-yaml, node-fetch, ...) call require() for Node's own modules.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // Smaller text to read and pre-parse; names are kept (errors and stack traces stay readable).
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "eof",
  logLevel: "warning",
});
