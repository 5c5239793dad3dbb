import type { ArgoConfig } from "./schema.js";
import type { ArgoWorkflow } from "./workflow-types.js";

/** An Argo CronWorkflow: the workflow's spec fired on schedules (runnable 0.45's `cron_schedule`). */
export interface ArgoCronWorkflow {
  apiVersion: "argoproj.io/v1alpha1";
  kind: "CronWorkflow";
  metadata: Record<string, unknown>;
  spec: { schedules: string[]; timezone?: string; workflowSpec: ArgoWorkflow["spec"] };
}

/**
 * The manifest to write: the workflow in its namespace (runnable 0.20+'s argoWorkflow.metadata.namespace),
 * or — with `cron_schedule` — the CronWorkflow wrapping its spec, named after the workflow's
 * generateName without its trailing `-`, as runnable 0.50 names it.
 */
export function manifestOf(workflow: ArgoWorkflow, config: ArgoConfig): ArgoWorkflow | ArgoCronWorkflow {
  const namespace = config["argoWorkflow.metadata.namespace"];
  const metadata: Record<string, unknown> = { ...workflow.metadata, ...(namespace ? { namespace } : {}) };
  if (!config.cron_schedule) return { ...workflow, metadata } as ArgoWorkflow;
  const { generateName, ...rest } = metadata as { generateName?: string };
  const { schedules, timezone } = config.cron_schedule;
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "CronWorkflow",
    metadata: { name: (generateName ?? "runnable-cron-").replace(/[-.]+$/, ""), ...rest },
    spec: { schedules, ...(timezone ? { timezone } : {}), workflowSpec: workflow.spec },
  };
}
