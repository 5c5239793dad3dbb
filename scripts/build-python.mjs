// `npm run build:python`: the Python wheel dist/python/runnable_ts-<version>-py3-none-any.whl — the
// `runnable` Python package (python/runnable) carrying runnable-ts' command line in runnable/_cli/, so a
// virtualenv needs only Node.js >= 20 besides it (python/runnable/_cli_main.py finds and checks node).
// The wheel's CLI bundle takes in the AWS SDK, pg and picomatch (the npm package keeps them as
// dependencies); `yaml`, loaded by createRequire (src/source/yaml-source.ts), is copied as a package.
// tsx (TypeScript pipelines and tasks) needs esbuild's native binary, which would tie the wheel to one
// platform: the wheel leaves it out, and a TypeScript module names the npm package instead.
// The wheel itself is written by scripts/build_wheel.py (Python's standard library only: offline).
import { execFileSync } from "node:child_process";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { bundleCli, root } from "./cli-bundle.mjs";

const stage = path.join(root, "python", "build", "wheel");
const cli = path.join(stage, "runnable", "_cli");
const web = path.join(root, "dist", "web");
if (!existsSync(path.join(web, "index.html"))) {
  console.error("dist/web is missing: build the package first (npm run build; npm ci runs it)");
  process.exit(2);
}
const { version } = JSON.parse(await readFile(path.join(root, "package.json"), "utf8"));

await rm(stage, { recursive: true, force: true });
await cp(path.join(root, "python", "runnable"), path.join(stage, "runnable"), {
  recursive: true,
  filter: (source) => !source.includes("__pycache__"),
});
await bundleCli(path.join(cli, "dist", "cli"), ["tsx", "yaml", "pg-native", "pg-cloudflare"]);
await cp(path.join(root, "bin", "runnable.js"), path.join(cli, "bin", "runnable.js"));
await cp(web, path.join(cli, "dist", "web"), { recursive: true });
const yaml = path.join(root, "node_modules", "yaml");
for (const part of ["package.json", "LICENSE", "dist"]) {
  await cp(path.join(yaml, part), path.join(cli, "node_modules", "yaml", part), { recursive: true });
}
const manifest = { name: "runnable-ts", version, private: true, type: "module", description: "runnable-ts' command line, carried by the Python wheel" };
await writeFile(path.join(cli, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);

const out = path.join(root, "dist", "python");
await mkdir(out, { recursive: true });
const python = process.env.PYTHON ?? "python3";
const wheel = execFileSync(python, [path.join(root, "scripts", "build_wheel.py"), path.join(root, "python"), stage, out], { encoding: "utf8" }).trim();
console.log(wheel);
