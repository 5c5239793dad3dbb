"""runnable's concepts/experiment_tracking_step and _env: metrics from Python through the API and env."""

import os

from pydantic import BaseModel

from runnable import track_this


class EggsModel(BaseModel):
    """A metric value may be a model (stored as its dict)."""

    ham: str


def emit_metrics():
    """Records spam and eggs at steps 0 and 1, answer and is_it_true once."""
    track_this(spam="hello", eggs=EggsModel(ham="world"), answer=42.0)
    track_this(step=1, spam="hey", eggs=EggsModel(ham="universe"))
    track_this(is_it_true=False)


def emit_env_metrics():
    """The env-var protocol from inside Python (runnable_TRACK_<key>[_STEP_<n>] = JSON)."""
    os.environ["runnable_TRACK_loss_STEP_0"] = "0.5"
    os.environ["runnable_TRACK_loss_STEP_1"] = "0.25"
    os.environ["runnable_TRACK_note"] = "trained"
    os.environ["runnable_PRM_model_name"] = '"linear"'
