"""Metrics recorded with track_this and sent to MLflow (runnable's examples/experiment_tracking_api.py).
The MLflow server of examples/configs/mlflow-config.yaml is expected at http://127.0.0.1:8080.

    python3 examples/experiment_tracking_api.py
"""

from pydantic import BaseModel

from runnable import Pipeline, Task, track_this


class EggsModel(BaseModel):
    """A metric may be a model (recorded as its dict)."""

    ham: str


def emit_metrics():
    """Records four metrics at step 0."""
    track_this(spam="hello", eggs=EggsModel(ham="world"))
    track_this(answer=42.0)
    track_this(is_it_true=False)


def main():
    metrics = Task(name="Emit Metrics", command="examples.experiment_tracking_api.emit_metrics", terminate_with_success=True)
    pipeline = Pipeline(steps=[metrics], start_at=metrics, add_terminal_nodes=True)
    return pipeline.execute(configuration_file="examples/configs/mlflow-config.yaml")


if __name__ == "__main__":
    main()
