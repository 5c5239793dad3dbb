import type { Graph } from "./graph.js";

/** Marks a pipeline built with the SDK (registered with `Symbol.for`, so every copy of the package agrees). */
export const PIPELINE_BRAND: unique symbol = Symbol.for("runnable-ts.pipeline");

/** What the runtime needs of a pipeline built with the SDK (a TypeScript module's default export). */
export interface BuiltPipeline {
  readonly [PIPELINE_BRAND]: true;
  readonly name: string;
  /** The validated graph, with in-memory functions attached. */
  build(): { graph: Graph };
}

/** True when `value` is a pipeline built with the SDK (by any copy of this package). */
export function isBuiltPipeline(value: unknown): value is BuiltPipeline {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[PIPELINE_BRAND] === true;
}
