import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RemoteStep } from "../../../ports/executor.js";

/** How a step process starts this package's `runnable`: this Node binary with the package's bin/runnable.js (found above this module), else `runnable` on PATH. */
export function runnableCommand(): string[] {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++, dir = dirname(dir)) {
    const bin = join(dir, "bin", "runnable.js");
    if (existsSync(bin) && existsSync(join(dir, "package.json"))) return [process.execPath, bin];
  }
  return ["runnable"];
}

/** The arguments of `runnable execute-single-node` for one launched step, with runnable's argument shapes (`%` for spaces). */
export function singleNodeArgs(step: Pick<RemoteStep, "runId" | "node" | "mapVariable" | "pipelineFile" | "configFile" | "parametersFile" | "tag">): string[] {
  return [
    "execute-single-node",
    step.runId,
    step.node.internalName.replace(/ /g, "%"),
    ...(step.pipelineFile ? ["--file", step.pipelineFile] : []),
    ...(step.mapVariable.length > 0 ? ["--map-variable", JSON.stringify(Object.fromEntries(step.mapVariable))] : []),
    ...(step.configFile ? ["--config-file", step.configFile] : []),
    ...(step.parametersFile ? ["--parameters-file", step.parametersFile] : []),
    ...(step.tag ? ["--tag", step.tag] : []),
  ];
}
