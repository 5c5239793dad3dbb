/** The definition layer: pipeline YAML or SDK objects -> validated graph (§2). */
export { analyseDag, buildGraph, invalidPipeline } from "./build-graph.js";
export { dagHash } from "./dag-hash.js";
export { findBranch, findNode } from "./find-node.js";
export { loadPipelineFile } from "./load-pipeline.js";
export { pyFloat, pythonJsonDumps } from "./python-json.js";
export { serialiseGraph, serialiseNode } from "./serialise.js";
export type { AnalysedDag, BuildGraphOptions, DocPath, LoadedPipeline, Position, PositionOf } from "./types.js";
export { parseYamlSource } from "./yaml-source.js";
export type { YamlSource } from "./yaml-source.js";
