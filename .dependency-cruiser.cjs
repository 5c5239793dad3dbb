// Layer rules of docs/architecture.md, checked by `npm test` (npm run depcheck).
const layer = (name) => `^src/${name}/`;
module.exports = {
  forbidden: [
    { name: "no-cycles", severity: "error", from: {}, to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } } },
    {
      name: "core-is-pure",
      comment: "core has no I/O and depends on nothing else of ours; of libraries only zod (the run log format is a zod schema)",
      severity: "error",
      from: { path: layer("core") },
      to: { pathNot: [layer("core"), "^node_modules/zod/"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "core-no-node-builtins",
      severity: "error",
      from: { path: layer("core") },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "ports-depend-on-core-only",
      severity: "error",
      from: { path: layer("ports") },
      to: { path: "^src/", pathNot: [layer("core"), layer("ports")] },
    },
    {
      name: "source-depends-on-core-only",
      comment: "source reads documents (strict UTF-8, YAML with positions) and maps zod issues into them, for definition and config alike",
      severity: "error",
      from: { path: layer("source") },
      to: { path: "^src/", pathNot: [layer("core"), layer("source")] },
    },
    {
      name: "definition-depends-on-core-and-source-only",
      comment: "not on config: what both read is in source",
      severity: "error",
      from: { path: layer("definition") },
      to: { path: "^src/", pathNot: [layer("core"), layer("source"), layer("definition")] },
    },
    {
      name: "config-depends-on-core-and-source-only",
      comment: "not on definition: what both read is in source",
      severity: "error",
      from: { path: layer("config") },
      to: { path: "^src/", pathNot: [layer("core"), layer("source"), layer("config")] },
    },
    {
      name: "io-depends-on-core-only",
      comment: "io holds node file helpers (atomic writes) for every layer that writes files",
      severity: "error",
      from: { path: layer("io") },
      to: { path: "^src/", pathNot: [layer("core"), layer("io")] },
    },
    {
      name: "engine-never-imports-plugins-or-outer-layers",
      severity: "error",
      from: { path: layer("engine") },
      to: { path: "^src/(plugins|runtime|sdk|cli|config|definition|testing)/" },
    },
    {
      name: "plugins-import-core-and-ports-only",
      severity: "error",
      from: { path: "^src/plugins/([^/]+)/" },
      // plugins/shared/ holds clients that plug-ins of different kinds share (one S3 client for catalog and store).
      to: { path: "^src/", pathNot: [layer("core"), layer("ports"), layer("io"), layer("source"), "^src/plugins/$1/", "^src/plugins/shared/"] },
    },
    {
      name: "runtime-is-below-sdk-and-cli",
      severity: "error",
      from: { path: layer("runtime") },
      to: { path: "^src/(sdk|cli|testing)/" },
    },
    {
      name: "cli-never-imports-plugins",
      comment: "the CLI parses arguments, calls the runtime and prints: plug-ins are reached through the runtime (builtins, capabilities, traits)",
      severity: "error",
      from: { path: layer("cli") },
      to: { path: "^src/plugins/" },
    },
    {
      name: "sdk-does-not-use-cli",
      severity: "error",
      from: { path: layer("sdk") },
      to: { path: layer("cli") },
    },
    {
      name: "ui-reads-through-runtime-and-ports",
      comment: "the run browser server (src/ui) may import runtime, core, ports and definition only",
      severity: "error",
      from: { path: layer("ui") },
      to: { path: "^src/(plugins|engine|sdk|cli|testing|config)/" },
    },
    {
      name: "only-cli-uses-ui",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(cli|ui)/" },
      to: { path: layer("ui") },
    },
    {
      name: "only-cli-exits",
      comment: "no layer but the CLI may import the CLI",
      severity: "error",
      from: { pathNot: layer("cli") },
      to: { path: layer("cli") },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.test\\.ts$|\\.fixture\\.ts$|/fixtures/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
