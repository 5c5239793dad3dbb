"""runnable's ``Pipeline``: a graph of SDK steps, executed by runnable-ts' engine (spec §3.8, §3.9; runnable 0.50's sdk.Pipeline).

One class for both generations of runnable's SDK, told apart by ``start_at``: February 2024's
pipelines name their first step (``Pipeline(steps=[...], start_at=a)``) and link steps themselves;
0.50's (``Pipeline(steps=[...])``) run the steps in list order (see ``_sdk_snapshot``). ``execute()``
behaves as each generation did: February 2024 returns the run log whatever its status; 0.50 returns
it when the run succeeded and raises ``runnable.exceptions.ExecutionFailedError`` when it failed.
"""

from __future__ import annotations

import os
TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs a script's start-up
    from typing import Any, Dict, List, Optional

from ._sdk_problems import Problem, caller, unknown_arguments
from ._sdk_snapshot import Snapshot, take_snapshot

if TYPE_CHECKING:
    from ._sdk_snapshot import Path

_ARGUMENTS = ("steps", "start_at", "name", "description", "add_terminal_nodes", "internal_branch_name")


def _problem_json(path: Path, problem: Problem) -> Dict[str, Any]:
    file, line, col = problem.where
    return {"message": problem.message, "path": ["dag", *path], "file": _shown(file), "line": line, "col": col}


def _shown(file: str) -> str:
    """A file name as the user would type it (relative to the working directory when inside it)."""
    if not file or not os.path.isabs(file):
        return file
    relative = os.path.relpath(file)
    return file if relative.startswith("..") else relative


class Pipeline:
    """A pipeline of steps; ``execute()`` runs it on runnable-ts' engine and returns the run log.

    The pipeline is captured when it is created (as runnable does): link steps and set their
    ``on_failure`` before this call. Without ``start_at`` the steps run in list order (runnable 0.50).
    """

    def __init__(self, **kwargs: Any) -> None:
        self._where = caller()
        self.steps: List[Any] = list(kwargs.pop("steps", None) or [])
        self.start_at: Any = kwargs.pop("start_at", None)
        self._in_list_order = self.start_at is None
        self.name: str = kwargs.pop("name", "") or ""
        self.description: str = kwargs.pop("description", "") or ""
        self.add_terminal_nodes: bool = bool(kwargs.pop("add_terminal_nodes", True))
        self.internal_branch_name: str = kwargs.pop("internal_branch_name", "") or ""
        self._problems: List[Problem] = unknown_arguments("Pipeline", kwargs, _ARGUMENTS, self._where)
        self._snapshot: Snapshot = take_snapshot(self)

    def _payload(self) -> Dict[str, Any]:
        """What the engine needs: the dag, every problem found here and where each step was written."""
        snapshot = self._snapshot
        return {
            "version": 1,
            "dag": snapshot.dag,
            "problems": [_problem_json(path, problem) for path, problem in snapshot.problems],
            "positions": [{"path": ["dag", *path], "file": _shown(w[0]), "line": w[1], "col": w[2]} for path, w in snapshot.positions],
            "file": _shown(self._where[0]),
        }

    def execute(
        self,
        configuration_file: str = "",
        run_id: str = "",
        tag: str = "",
        parameters_file: str = "",
        *more: str,
        use_cached: str = "",
        log_level: str = "WARNING",
        output_pipeline_definition: str = "runnable-pipeline.yaml",
    ) -> Optional[Any]:
        """Runs the pipeline on runnable-ts' engine and returns the run log (a dict whose keys read as attributes).

        After ``parameters_file`` the arguments are each generation's: February 2024's ``use_cached``,
        ``log_level``, ``output_pipeline_definition``; 0.50's ``log_level`` (by keyword, any of them).
        Invalid input prints the problems and exits with code 2. As runnable 0.50 does,
        ``RUNNABLE_CONFIGURATION_FILE`` and ``RUNNABLE_PARAMETERS_FILE`` win over the arguments, the run id
        comes from ``RUNNABLE_RETRY_RUN_ID`` (a retry of that run), ``run_id`` or ``RUNNABLE_RUN_ID``, and
        ``runnable execute -f`` options win over everything. With an executor that does not run steps
        here, the definition is written to ``output_pipeline_definition`` and nothing runs (returns
        ``None``; ``{}`` for a 0.50 pipeline). A failed run is returned (February 2024) or raised as
        ``ExecutionFailedError`` (a 0.50 pipeline, built without ``start_at``).
        """
        from ._engine import execute_payload

        arguments = {
            "configuration_file": configuration_file,
            "run_id": run_id,
            "tag": tag,
            "parameters_file": parameters_file,
            "use_cached": use_cached,
            "log_level": log_level,
            "output_pipeline_definition": output_pipeline_definition,
        }
        arguments.update(self._positional(more, arguments))
        run_log = execute_payload({**self._payload(), "arguments": arguments})
        return _as_050(run_log) if self._in_list_order else run_log

    def _positional(self, more: Any, given: Dict[str, str]) -> Dict[str, str]:
        """``execute``'s arguments after ``parameters_file`` given by position, named as this pipeline's generation names them."""
        names = ("log_level",) if self._in_list_order else ("use_cached", "log_level", "output_pipeline_definition")
        if len(more) > len(names):
            raise TypeError(f"Pipeline.execute() takes at most {4 + len(names)} positional arguments ({', '.join(names)} after parameters_file)")
        defaults = {"use_cached": "", "log_level": "WARNING", "output_pipeline_definition": "runnable-pipeline.yaml"}
        for name in names[: len(more)]:
            if given[name] != defaults[name]:
                raise TypeError(f"Pipeline.execute() got multiple values for argument {name!r}")
        return dict(zip(names, more))

    def __repr__(self) -> str:
        return f"Pipeline(name={self.name!r}, steps={[s.name for s in self.steps if hasattr(s, 'name')]!r})"


def _as_050(run_log: Optional[Any]) -> Any:
    """What runnable 0.50's ``execute()`` gives: the run log, ``{}`` when nothing ran here, an exception when the run failed."""
    if run_log is None:
        return {}
    if run_log.get("status") != "SUCCESS":
        from .exceptions import ExecutionFailedError

        raise ExecutionFailedError(str(run_log.get("run_id", "")))
    return run_log
