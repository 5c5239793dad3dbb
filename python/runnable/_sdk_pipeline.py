"""runnable's ``Pipeline``: a graph of SDK steps, executed by runnable-ts' engine (spec §3.8, §3.9)."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Tuple

from ._sdk_problems import Problem, Where, caller, describe, unknown_arguments
from ._sdk_composite import Map, Parallel
from ._sdk_steps import Fail, Success, _Terminal, _Traversal

Path = List[Any]


class Snapshot:
    """A pipeline as it was when ``Pipeline(...)`` ran: runnable's YAML ``dag`` mapping, positions, problems."""

    __slots__ = ("dag", "positions", "problems")

    def __init__(self) -> None:
        self.dag: Dict[str, Any] = {}
        self.positions: List[Tuple[Path, Where]] = []
        self.problems: List[Tuple[Path, Problem]] = []

    def merge(self, prefix: Path, other: "Snapshot") -> None:
        """Adds a branch's positions and problems under ``prefix``."""
        self.positions += [(prefix + path, where) for path, where in other.positions]
        self.problems += [(prefix + path, problem) for path, problem in other.problems]


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

    Steps are copied when the pipeline is created (as runnable does): link them before this call.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._where = caller()
        self.steps: List[Any] = list(kwargs.pop("steps", None) or [])
        self.start_at: Any = kwargs.pop("start_at", None)
        self.name: str = kwargs.pop("name", "") or ""
        self.description: str = kwargs.pop("description", "") or ""
        self.add_terminal_nodes: bool = bool(kwargs.pop("add_terminal_nodes", True))
        self.internal_branch_name: str = kwargs.pop("internal_branch_name", "") or ""
        self._problems: List[Problem] = unknown_arguments(
            "Pipeline", kwargs, ("steps", "start_at", "name", "description", "add_terminal_nodes", "internal_branch_name"), self._where
        )
        self._snapshot = self._take_snapshot()

    def _take_snapshot(self) -> Snapshot:
        snapshot = Snapshot()
        snapshot.problems += [([], problem) for problem in self._problems]
        start = self._start_name(snapshot)
        steps: Dict[str, Any] = {}
        for step in self.steps:
            if not isinstance(step, (_Traversal, _Terminal)):
                snapshot.problems.append((["steps"], Problem(f"Pipeline steps must be Task, Stub, Parallel, Map, Success or Fail objects, got {describe(step)}", self._where)))
                continue
            path: Path = ["steps", step.name]
            if step.name in steps:
                message = f'two steps are named "{step.name}"; every step of a pipeline needs its own name'
                snapshot.problems.append((path, Problem(message, step._where)))
                continue
            problems = step._problems_of()
            steps[step.name] = step._to_dag(problems)
            snapshot.positions.append((path, step._where))
            snapshot.problems += [(path + problem.path, problem) for problem in problems]
            if isinstance(step, Parallel):
                for key, branch in step.branches.items():
                    snapshot.merge(path + ["branches", key], branch)
            elif isinstance(step, Map) and step.branch is not None:
                snapshot.merge(path + ["branch"], step.branch)
        if self.add_terminal_nodes:
            for kind in ("success", "fail"):
                if not any(isinstance(s, (Success if kind == "success" else Fail)) for s in self.steps) and kind not in steps:
                    steps[kind] = {"type": kind}
        snapshot.dag = {"start_at": start, "steps": steps}
        if self.description:
            snapshot.dag["description"] = self.description
        if self.name:
            snapshot.dag["name"] = self.name
        snapshot.positions.append(([], self._where))
        return snapshot

    def _start_name(self, snapshot: Snapshot) -> str:
        start = self.start_at
        if isinstance(start, _Terminal):
            snapshot.problems.append((["start_at"], Problem("A success or fail node cannot be the start_at of the graph", self._where)))
            return start.name
        if isinstance(start, _Traversal):
            return start.name
        if isinstance(start, str) and start:
            return start
        if start is None and self.steps and isinstance(self.steps[0], _Traversal):
            return self.steps[0].name
        snapshot.problems.append((["start_at"], Problem(f"Pipeline start_at must be one of its steps, got {describe(start)}", self._where)))
        return ""

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
        use_cached: str = "",
        log_level: str = "WARNING",
        output_pipeline_definition: str = "runnable-pipeline.yaml",
    ) -> Optional[Any]:
        """Runs the pipeline on runnable-ts' engine; returns the run log (``None`` when the executor only writes a definition).

        A failed run is returned, not raised (``run_log.status == "FAIL"``). Invalid input prints the
        problems and exits with code 2. ``runnable_CONFIGURATION_FILE`` overrides ``configuration_file``.
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
        return execute_payload({**self._payload(), "arguments": arguments})

    def __repr__(self) -> str:
        return f"Pipeline(name={self.name!r}, steps={[s.name for s in self.steps if hasattr(s, 'name')]!r})"
