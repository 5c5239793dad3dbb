"""runnable 0.50's SDK module: ``from runnable.sdk import Pipeline, PythonTask, pickled, ...``.

The same classes as ``from runnable import ...`` (both generations of runnable's SDK), plus the base
classes 0.50 exposes here. Names of features runnable-ts does not build yet import fine and raise
``NotImplementedError`` naming the feature when used (``_sdk_later``).
"""

from __future__ import annotations

from ._sdk_base import BaseTraversal, Catalog, Fail, Success
from ._sdk_composite import Conditional, Loop, Map, Parallel
from ._sdk_jobs import BaseJob, NotebookJob, PythonJob, ShellJob
from ._sdk_later import (
    AsyncPipeline,
    AsyncPythonTask,
)
from ._sdk_pipeline import Pipeline
from ._sdk_steps import Stub, Task
from ._sdk_tasks import BaseTask, NotebookTask, PythonTask, ShellTask, TaskReturns, json, metric, pickled

__all__ = [
    "AsyncPipeline",
    "AsyncPythonTask",
    "BaseJob",
    "BaseTask",
    "BaseTraversal",
    "Catalog",
    "Conditional",
    "Fail",
    "Loop",
    "Map",
    "NotebookJob",
    "NotebookTask",
    "Parallel",
    "Pipeline",
    "PythonJob",
    "PythonTask",
    "ShellJob",
    "ShellTask",
    "Stub",
    "Success",
    "Task",
    "TaskReturns",
    "json",
    "metric",
    "pickled",
]
