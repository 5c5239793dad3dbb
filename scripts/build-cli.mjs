// Bundles the CLI (src/cli/main.ts) into dist/cli/runnable.mjs plus chunks under dist/cli/bundle/
// (scripts/cli-bundle.mjs). Run by `npm run build`.
// The AWS SDK, the Kubernetes client, pg, picomatch, tsx and yaml (needed only to locate problems in a pipeline file;
// src/source/yaml-source.ts) stay packages, dependencies of the npm package, loaded when used.
import path from "node:path";
import { bundleCli, root } from "./cli-bundle.mjs";
import { buildCliSnapshot } from "./cli-snapshot.mjs";

await bundleCli(path.join(root, "dist", "cli"), ["tsx", "@aws-sdk/*", "@kubernetes/client-node", "pg", "picomatch", "yaml"]);
// The start-up snapshot takes the packages above in, but for those loaded on first use from disk.
await buildCliSnapshot(path.join(root, "dist", "cli"), ["tsx", "@aws-sdk/*", "@kubernetes/client-node", "pg", "yaml"]);
