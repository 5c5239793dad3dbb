"""The exceptions a runnable 0.50 script may catch (``from runnable.exceptions import ExecutionFailedError``)."""

from __future__ import annotations


class ExecutionFailedError(Exception):
    """A pipeline built the runnable 0.50 way (``Pipeline(steps=[...])``) ran and failed; ``run_id`` names the run."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        super().__init__(f"Execution failed for run id: {run_id}")
