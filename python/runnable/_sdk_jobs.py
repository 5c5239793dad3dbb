"""runnable 0.50's jobs: PythonJob, ShellJob and NotebookJob, one task run on its own with a pipeline task's record.

A job is its task (``PythonTask``/``ShellTask``/``NotebookTask`` with ``catalog``, ``returns`` and
``secrets``) named ``job``; ``execute()`` hands that one-task pipeline to runnable-ts' engine marked as a
job, which records it as 0.50 does (the run's ``job`` log, empty ``steps``, 0.50's job keys in
``run_config``) and runs it with the config's ``job-executor``. As in 0.50, a job's catalog only puts
files (``get`` is refused) and ``execute()`` returns ``None`` whatever the job's status.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs a script's start-up
    from typing import Any, Dict, List, Optional

from ._sdk_problems import Problem
from ._sdk_tasks import BaseTask, NotebookTask, PythonTask, ShellTask

__all__ = ["BaseJob", "NotebookJob", "PythonJob", "ShellJob"]

JOB_STEP = "job"

# Whether a job of this process was executed (``runnable execute-job`` executes a job its function only
# returns), and the definition ``runnable execute-job`` was given (recorded as the job's definition).
_EXECUTED = [False]
_DEFINITION = [""]


def executed() -> bool:
    """True once a job of this process called ``execute()``."""
    return _EXECUTED[0]


class BaseJob:
    """What runnable 0.50's jobs share: ``catalog`` (puts only), ``returns``, ``secrets`` and ``execute()``."""

    _task_class: Any = BaseTask
    _kind = "job"

    def __init__(self, **kwargs: Any) -> None:
        for key in ("name", "next", "next_node", "on_failure", "terminate_with_success", "terminate_with_failure"):
            if key in kwargs:
                raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument {key!r} (a job is one task, not a step of a pipeline)")
        self._task: BaseTask = self._task_class(name=JOB_STEP, terminate_with_success=True, **kwargs)
        catalog = self._task.catalog
        if catalog is not None and catalog.get:
            self._task._problems.append(Problem("Catalog get is not supported for jobs: a job only puts files into the catalog", catalog._where, ["catalog", "get"]))

    @property
    def catalog(self) -> Any:
        return self._task.catalog

    @property
    def returns(self) -> List[Any]:
        return self._task.returns

    @property
    def secrets(self) -> List[str]:
        return self._task.secrets

    def _record(self, definition: str) -> Dict[str, Any]:
        """What the run records of the job (runnable 0.50's ``job_definition_file``, ``job``, ``catalog_settings``, ``catalog_store_copy``)."""
        task = self._task
        catalog = task.catalog
        return {
            "definition_file": definition,
            "task": {
                "task_type": task.command_type,
                "command": task._command(),
                "secrets": list(task.secrets),
                "returns": [{"name": r.name, "kind": r.kind} for r in task.returns],
                "internal_branch_name": "",
            },
            "catalog_settings": list(catalog.put) if catalog is not None else [],
            "store_copy": catalog.store_copy if catalog is not None else True,
        }

    def execute(
        self,
        configuration_file: str = "",
        job_id: str = "",
        tag: str = "",
        parameters_file: str = "",
        log_level: str = "WARNING",
    ) -> None:
        """Runs the job on runnable-ts' engine with the config's ``job-executor`` (``local`` by default).

        As runnable 0.50: ``RUNNABLE_CONFIGURATION_FILE`` and ``RUNNABLE_PARAMETERS_FILE`` win over the
        arguments, the run id comes from ``job_id`` or ``RUNNABLE_RUN_ID`` (``RUNNABLE_RETRY_RUN_ID``: a
        retry of that job), and ``None`` is returned whatever the job's status (its run log records it).
        Invalid input prints the problems, each at its line, and exits with code 2.
        """
        from ._engine import execute_payload
        from ._sdk_pipeline import Pipeline

        definition = _DEFINITION[0] or _definition_of(sys._getframe(1))
        payload = Pipeline(steps=[self._task], name=JOB_STEP)._payload()
        payload["job"] = self._record(definition)
        payload["arguments"] = {
            "configuration_file": configuration_file,
            "run_id": job_id,
            "tag": tag,
            "parameters_file": parameters_file,
            "log_level": log_level,
        }
        _EXECUTED[0] = True
        execute_payload(payload)
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(command={self._task._command()!r})"


class PythonJob(BaseJob):
    """A job calling a Python function (``function=f``; it runs as ``module.function``)."""

    _task_class = PythonTask

    @property
    def function(self) -> Any:
        return getattr(self._task, "function", None)


class ShellJob(BaseJob):
    """A job running a shell command; ``returns`` names the variables it exports."""

    _task_class = ShellTask

    @property
    def command(self) -> Any:
        return getattr(self._task, "command", "")


class NotebookJob(BaseJob):
    """A job executing a Jupyter notebook (path relative to the working directory)."""

    _task_class = NotebookTask

    @property
    def notebook(self) -> Any:
        return getattr(self._task, "notebook", "")


def _definition_of(frame: Any) -> str:
    """runnable 0.50's ``job_definition_file``: ``module.function`` of the code that called ``execute()``
    (the module as a dotted path of its file under the working directory)."""
    if frame is None:
        return ""
    file = os.path.abspath(frame.f_code.co_filename)
    relative = os.path.relpath(file, os.getcwd())
    module = relative[: -len(".py")] if relative.endswith(".py") else relative
    return f"{module.replace(os.sep, '.')}.{frame.f_code.co_name}"
