"""Metrics set as runnable_TRACK_* environment variables from Python
(runnable's examples/concepts/experiment_tracking_env.py).

user_defined_metrics of "Emit Metrics": {spam: "hello", eggs: {ham: "world"}, answer: 42.0}

    python3 examples/concepts/experiment_tracking_env.py
"""

import json
import os

from pydantic import BaseModel

from runnable import Pipeline, Task


class EggsModel(BaseModel):
    """A metric may be a model, set as its JSON."""

    ham: str


def emit_metrics():
    """Sets three runnable_TRACK_ variables (values are JSON, or kept as text)."""
    os.environ["runnable_TRACK_spam"] = "hello"
    os.environ["runnable_TRACK_eggs"] = json.dumps(EggsModel(ham="world").model_dump(by_alias=True))
    os.environ["runnable_TRACK_answer"] = "42.0"


def main():
    metrics = Task(name="Emit Metrics", command="examples.concepts.experiment_tracking_env.emit_metrics", terminate_with_success=True)
    pipeline = Pipeline(steps=[metrics], start_at=metrics, add_terminal_nodes=True)
    return pipeline.execute()


if __name__ == "__main__":
    main()
