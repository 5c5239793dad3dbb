"""The composite steps of runnable's Python SDK: Parallel and Map (spec §3.5, §3.6; the same in runnable 0.50), and 0.50's Conditional and Loop.

A composite step holds the snapshots of its branch pipelines and lists them in ``_branch_snapshots``,
which is all a pipeline needs to place the branches' problems: a new composite kind (0.50's
``Conditional``, ``Loop``) is one more class here, the pipeline code does not change.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs a script's start-up
    from typing import Any, Dict, List, Optional, Tuple

from ._sdk_base import _Traversal, is_pipeline
from ._sdk_problems import Problem, describe


def _branch(step: _Traversal, key: str, value: Any) -> Any:
    """A branch pipeline's snapshot, or None (with a problem) when ``value`` is not a Pipeline."""
    if is_pipeline(value):
        return value._snapshot
    step._problems.append(Problem(f'step "{step.name}": {key} must be a Pipeline, got {describe(value)}', step._where, [key]))
    return None


class Parallel(_Traversal):
    """A step running several pipelines (its branches) side by side."""

    kind = "parallel"
    _own = ("branches", "overrides")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(kwargs)

    def _init(self, own: Dict[str, Any]) -> None:
        branches = own.get("branches")
        self.overrides: Dict[str, Any] = own.get("overrides") or {}
        self.branches: Dict[str, Any] = {}
        if not isinstance(branches, dict) or not branches:
            self._problems.append(Problem(f'step "{self.name}": A parallel node should have branches: give branches={{"name": Pipeline(...)}}', self._where, ["branches"]))
            return
        for key, value in branches.items():
            snapshot = _branch(self, f'branch "{key}"', value)
            if snapshot is not None:
                self.branches[str(key)] = snapshot

    def _to_dag(self, problems: List[Problem]) -> Dict[str, Any]:
        dag = super()._to_dag(problems)
        dag["branches"] = {key: snapshot.dag for key, snapshot in self.branches.items()}
        if self.overrides:
            dag["overrides"] = self.overrides
        return dag

    def _branch_snapshots(self) -> List[Tuple[List[Any], Any]]:
        return [(["branches", key], snapshot) for key, snapshot in self.branches.items()]


class Map(_Traversal):
    """A step running one pipeline (its branch) for every item of a list parameter, optionally folded by a ``reducer``."""

    kind = "map"
    _own = ("branch", "iterate_on", "iterate_as", "overrides", "reducer")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(kwargs)

    def _init(self, own: Dict[str, Any]) -> None:
        self.branch = _branch(self, "branch", own.get("branch")) if "branch" in own else None
        if "branch" not in own:
            self._problems.append(Problem(f'step "{self.name}": A map node should have a branch: give branch=Pipeline(...)', self._where, ["branch"]))
        self.iterate_on = own.get("iterate_on", "")
        self.iterate_as = own.get("iterate_as", "")
        self.overrides: Dict[str, Any] = own.get("overrides") or {}
        self.reducer: Optional[str] = own.get("reducer")
        for key in ("iterate_on", "iterate_as"):
            if not isinstance(getattr(self, key), str) or not getattr(self, key):
                self._problems.append(Problem(f'step "{self.name}": Map() needs {key} (a parameter name)', self._where, [key]))

    def _to_dag(self, problems: List[Problem]) -> Dict[str, Any]:
        dag = super()._to_dag(problems)
        dag.update(iterate_on=self.iterate_on, iterate_as=self.iterate_as)
        if self.branch is not None:
            dag["branch"] = self.branch.dag
        if self.overrides:
            dag["overrides"] = self.overrides
        if self.reducer is not None:
            dag["reducer"] = self.reducer
        return dag

    def _branch_snapshots(self) -> List[Tuple[List[Any], Any]]:
        return [(["branch"], self.branch)] if self.branch is not None else []


def _isalnum_problem(step: _Traversal, key: str, value: Any, what: str) -> None:
    if not isinstance(value, str) or not value.isalnum():
        step._problems.append(Problem(f'step "{step.name}": {what} must be alphanumeric (letters and digits only), got {describe(value)}', step._where, [key]))


class Conditional(_Traversal):
    """A step running the one branch keyed by a parameter's value (runnable 0.50): ``str(value)`` picks the key."""

    kind = "conditional"
    _own = ("branches", "parameter", "overrides")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(kwargs)

    def _init(self, own: Dict[str, Any]) -> None:
        branches = own.get("branches")
        self.parameter = own.get("parameter", "")
        self.overrides: Dict[str, Any] = own.get("overrides") or {}
        self.branches: Dict[str, Any] = {}
        _isalnum_problem(self, "parameter", self.parameter, "The parameter name")
        if not isinstance(branches, dict) or not branches:
            self._problems.append(Problem(f'step "{self.name}": A conditional node should have branches: give branches={{"key": Pipeline(...)}}', self._where, ["branches"]))
            return
        for key, value in branches.items():
            _isalnum_problem(self, "branches", key, f'Branch "{key}"')
            snapshot = _branch(self, f'branch "{key}"', value)
            if snapshot is not None:
                self.branches[str(key)] = snapshot

    def _to_dag(self, problems: List[Problem]) -> Dict[str, Any]:
        dag = super()._to_dag(problems)
        dag["parameter"] = self.parameter
        dag["branches"] = {key: snapshot.dag for key, snapshot in self.branches.items()}
        if self.overrides:
            dag["overrides"] = self.overrides
        return dag

    def _branch_snapshots(self) -> List[Tuple[List[Any], Any]]:
        return [(["branches", key], snapshot) for key, snapshot in self.branches.items()]


class Loop(_Traversal):
    """A step running one pipeline again and again (runnable 0.50) until the boolean parameter ``break_on`` is True, at most ``max_iterations`` times.

    ``index_as`` names the environment variable that holds the iteration index (0, 1, ...) in the branch's tasks.
    """

    kind = "loop"
    _own = ("branch", "max_iterations", "break_on", "index_as", "overrides")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(kwargs)

    def _init(self, own: Dict[str, Any]) -> None:
        self.branch = _branch(self, "branch", own.get("branch")) if "branch" in own else None
        if "branch" not in own:
            self._problems.append(Problem(f'step "{self.name}": A loop node should have a branch: give branch=Pipeline(...)', self._where, ["branch"]))
        self.max_iterations = own.get("max_iterations")
        self.break_on = own.get("break_on", "")
        self.index_as = own.get("index_as", "")
        self.overrides: Dict[str, Any] = own.get("overrides") or {}
        bound = self.max_iterations
        if isinstance(bound, bool) or not isinstance(bound, int) or bound < 1:
            self._problems.append(Problem(f'step "{self.name}": Loop() needs max_iterations, an integer >= 1 (the bound is mandatory), got {describe(bound)}', self._where, ["max_iterations"]))
        for key in ("break_on", "index_as"):
            if not isinstance(getattr(self, key), str) or not getattr(self, key):
                self._problems.append(Problem(f'step "{self.name}": Loop() needs {key} (a name)', self._where, [key]))

    def _to_dag(self, problems: List[Problem]) -> Dict[str, Any]:
        dag = super()._to_dag(problems)
        dag.update(max_iterations=self.max_iterations, break_on=self.break_on, index_as=self.index_as)
        if self.branch is not None:
            dag["branch"] = self.branch.dag
        if self.overrides:
            dag["overrides"] = self.overrides
        return dag

    def _branch_snapshots(self) -> List[Tuple[List[Any], Any]]:
        return [(["branch"], self.branch)] if self.branch is not None else []
