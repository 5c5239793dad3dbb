// Builds the run browser (web/) into dist/web: one hashed JS and CSS bundle plus index.html.
// Run by `npm run build`; takes well under a second with esbuild.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "dist", "web");
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const result = await build({
  entryPoints: { app: path.join(root, "web", "src", "main.tsx") },
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022"],
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: out,
  entryNames: "assets/[name]-[hash]",
  metafile: true,
  logLevel: "warning",
  legalComments: "linked",
});
const outputs = Object.keys(result.metafile.outputs).map((file) => path.relative(out, path.resolve(root, file)).split(path.sep).join("/"));
const js = outputs.find((file) => file.endsWith(".js"));
const css = outputs.find((file) => file.endsWith(".css"));
const template = await readFile(path.join(root, "web", "index.html"), "utf8");
const html = template
  .replace("<!--styles-->", css ? `<link rel="stylesheet" href="/${css}">` : "")
  .replace("<!--scripts-->", `<script type="module" src="/${js}"></script>`);
await writeFile(path.join(out, "index.html"), html);
await writeFile(path.join(out, "favicon.svg"), await readFile(path.join(root, "web", "favicon.svg")));
