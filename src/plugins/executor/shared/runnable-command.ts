import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cliLaunch } from "../../../io/cli-launch.js";
import type { RemoteStep } from "../../../ports/executor.js";

/** The folder of this package (found above this module by its bin/runnable.js and package.json), if the code runs from one. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++, dir = dirname(dir)) {
    if (existsSync(join(dir, "bin", "runnable.js")) && existsSync(join(dir, "package.json"))) return dir;
  }
  return undefined;
}

/**
 * How a step process on this machine starts this package's `runnable`: this Node binary from the
 * command line's start-up snapshot when it fits, else with bin/runnable.js (src/io/cli-launch.ts); outside
 * a package, `runnable` on PATH.
 */
export function runnableCommand(): string[] {
  const root = packageRoot();
  return root ? cliLaunch(root) : ["runnable"];
}

/**
 * How a step process on another machine that shares this package's folder (a Slurm compute node) starts
 * `runnable`: bin/runnable, which chooses the start-up snapshot there only if it fits the `node` found
 * there; outside a package, `runnable` on PATH.
 */
export function sharedFolderRunnableCommand(): string[] {
  const root = packageRoot();
  return root ? [join(root, "bin", "runnable")] : ["runnable"];
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
