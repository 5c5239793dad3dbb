"""Metrics recorded per step with track_this(step=...) (runnable's
examples/concepts/experiment_tracking_step.py; the second example of the experiment-tracking page).

user_defined_metrics of "Emit Metrics":
    {spam: {"0": "hello", "1": "hey"}, eggs: {"0": {ham: "world"}, "1": {ham: "universe"}},
     answer: 42.0, is_it_true: false}

    python3 examples/concepts/experiment_tracking_step.py
"""

from pydantic import BaseModel

from runnable import Pipeline, Task, track_this


class EggsModel(BaseModel):
    """A metric may be a model (recorded as its dict)."""

    ham: str


def emit_metrics():
    """spam and eggs at steps 0 and 1; answer and is_it_true once."""
    track_this(step=0, spam="hello", eggs=EggsModel(ham="world"))
    track_this(step=1, spam="hey", eggs=EggsModel(ham="universe"))
    track_this(answer=42.0)
    track_this(is_it_true=False)


def main():
    metrics = Task(name="Emit Metrics", command="examples.concepts.experiment_tracking_step.emit_metrics", terminate_with_success=True)
    pipeline = Pipeline(steps=[metrics], start_at=metrics, add_terminal_nodes=True)
    return pipeline.execute()


if __name__ == "__main__":
    main()
