"""Metrics sent to MLflow as well (runnable's examples/concepts/experiment_tracking_integration.py).
The MLflow server of examples/configs/mlflow-config.yaml is expected at http://127.0.0.1:8080; the run
goes to the experiment named by the tag.

    python3 examples/concepts/experiment_tracking_integration.py
"""

from pydantic import BaseModel

from runnable import Pipeline, Task, track_this


class EggsModel(BaseModel):
    """A metric may be a model (recorded as its dict)."""

    ham: str


def emit_metrics():
    """Metrics at step 0, and answer at steps 0 to 3."""
    track_this(spam="hello", eggs=EggsModel(ham="world"))
    track_this(is_it_true=False)
    track_this(answer=0.0)
    track_this(step=1, answer=20.0)
    track_this(step=2, answer=40.0)
    track_this(step=3, answer=60.0)


def main():
    metrics = Task(name="Emit Metrics", command="examples.concepts.experiment_tracking_integration.emit_metrics", terminate_with_success=True)
    pipeline = Pipeline(steps=[metrics], start_at=metrics, add_terminal_nodes=True)
    return pipeline.execute(configuration_file="examples/configs/mlflow-config.yaml", tag="demo-runnable")


if __name__ == "__main__":
    main()
