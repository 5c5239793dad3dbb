import { RunnableError } from "../../../core/errors.js";
import { isTerminal, type Node } from "../../../core/graph.js";
import type { ArgoConfig, ArgoOverride, ArgoResources, ArgoRetryStrategy, ArgoToleration } from "./schema.js";

/** The executor type name a step's `overrides` mapping uses to select an argo bundle. */
export const ARGO_TYPE = "argo";

/** What one template is rendered with: the global config, shallow-merged with the step's override bundle. */
export interface StepSettings {
  image: string;
  imagePullPolicy: string;
  resources: ArgoResources;
  nodeSelector: Record<string, string> | null;
  tolerations: ArgoToleration[] | null;
  maxStepDurationSeconds: number;
  retry: ArgoRetryStrategy;
  /** Limit for a parallel/map node's branches, from its override bundle only (null: none; the global
   *  `parallelism` limits the workflow's pods as a whole). */
  parallelism: number | null;
  /** For a map node: stop launching items once one failed (Argo template `failFast`). */
  failFast: boolean;
}

const positiveOrNull = (value: number | null | undefined): number | null => (value ? value : null);

/** The settings of templates that take no override (fan-out/fan-in pods, terminal steps). */
export function globalSettings(config: ArgoConfig): StepSettings {
  return {
    image: config.image,
    imagePullPolicy: config.image_pull_policy,
    resources: config.resources,
    nodeSelector: config.node_selector,
    tolerations: config.tolerations,
    maxStepDurationSeconds: config.max_step_duration_in_seconds,
    retry: config.retry_strategy,
    parallelism: null,
    // Not runnable's default (true): a failed item must not stop the fan-in that records the map's
    // status, which is what runnable itself changed to in May 2024.
    failFast: false,
  };
}

function mergeBundle(base: StepSettings, bundle: ArgoOverride): StepSettings {
  return {
    image: bundle.image ?? base.image,
    imagePullPolicy: bundle.image_pull_policy ?? base.imagePullPolicy,
    resources: bundle.resources ?? base.resources,
    nodeSelector: bundle.node_selector ?? base.nodeSelector,
    tolerations: bundle.tolerations ?? base.tolerations,
    maxStepDurationSeconds: bundle.max_step_duration_in_seconds ?? base.maxStepDurationSeconds,
    retry: bundle.retry_strategy ?? base.retry,
    parallelism: positiveOrNull(bundle.parallelism) ?? base.parallelism,
    failFast: bundle.fail_fast ?? base.failFast,
  };
}

/**
 * The effective settings of a node (§11.1): terminal nodes use the global config; others shallow-merge
 * the bundle their `overrides: {argo: <key>}` selects. An unknown key is an error naming the known ones.
 */
export function settingsFor(node: Node, config: ArgoConfig): StepSettings {
  const base = globalSettings(config);
  if (isTerminal(node)) return base;
  const key = node.overrides[ARGO_TYPE];
  if (key === undefined) return base;
  const bundle = config.overrides[key];
  if (!bundle) {
    const known = Object.keys(config.overrides);
    throw new RunnableError(
      "CONFIG_INVALID",
      `No override of key: ${key} found in the overrides section (step "${node.internalName}" selects it with overrides: {argo: ${key}})`,
      {
        hint: known.length > 0 ? `known override keys: ${known.join(", ")}` : "add it under executor.config.overrides in the configuration file",
      },
    );
  }
  return mergeBundle(base, bundle);
}
