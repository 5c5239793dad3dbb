import { getExperimentTrackerContext, track } from "runnable-ts";

/** A class instance with toJSON, like a pydantic model in runnable's examples. */
class Eggs {
  constructor(readonly ham: string) {}
  toJSON(): { ham: string } {
    return { ham: this.ham };
  }
}

/** runnable's experiment_tracking_api.py: several values at step 0. */
export function emitMetrics(): void {
  track({ spam: "hello", eggs: new Eggs("world"), answer: 42.0, is_it_true: false });
}

/** runnable's experiment_tracking_step.py: values at steps 0 and 1, plus plain values. */
export async function emitStepwiseMetrics(): Promise<void> {
  track({ spam: "hello", eggs: new Eggs("world") }, 0);
  await Promise.resolve();
  track({ spam: "hey", eggs: new Eggs("universe") }, 1);
  track({ answer: 42.0 });
  track({ is_it_true: false });
}

/** Logs an extra tag straight to the same MLflow run through the tracker's client context. */
export async function logToMlflowDirectly(): Promise<void> {
  const context = getExperimentTrackerContext() as { tracking_uri?: string; run_id?: string };
  track({ accuracy: 0.9 }, 0);
  track({ accuracy: 0.95 }, 1);
  if (!context.tracking_uri || !context.run_id) return;
  const response = await fetch(`${context.tracking_uri}/api/2.0/mlflow/runs/set-tag`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ run_id: context.run_id, key: "logged_by_task", value: "yes" }),
  });
  if (!response.ok) throw new Error(`MLflow refused the tag: ${response.status}`);
}
