"""What every step of the Python SDK shares: Catalog, Success/Fail and the linking of traversal steps.

Plain Python (no pydantic), so importing the SDK stays cheap. Nothing raises while a pipeline is
being written: problems are remembered with the line that caused them and reported together, like
YAML problems, when the pipeline is validated or executed. Both generations of runnable's SDK build on
this: February 2024's ``Task`` (``_sdk_steps``) and 0.50's ``PythonTask``/``ShellTask``/``NotebookTask``
(``_sdk_tasks``); ``Parallel``/``Map`` are in ``_sdk_composite``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs a script's start-up
    from typing import Any, Dict, List, Optional, Tuple

from ._sdk_problems import Problem, caller, describe, string_list, unknown_arguments

if TYPE_CHECKING:
    from ._sdk_problems import Where

_TRAVERSAL = ("name", "next", "next_node", "on_failure", "terminate_with_success", "terminate_with_failure")


class Catalog:
    """Files to get from the run's catalog before a step and to put into it after the step succeeds.

    ``store_copy=False`` (runnable 0.37) records the put files' hashes without copying them.
    """

    def __init__(self, **kwargs: Any) -> None:
        self._where = caller()
        self._problems: List[Problem] = []
        get, put = kwargs.pop("get", []), kwargs.pop("put", [])
        store_copy = kwargs.pop("store_copy", True)
        self._problems += unknown_arguments("Catalog", kwargs, ("get", "put", "store_copy"), self._where)
        self.get: List[str] = self._patterns("get", get)
        self.put: List[str] = self._patterns("put", put)
        if not isinstance(store_copy, bool):
            self._problems.append(Problem(f"Catalog store_copy must be True or False, got {describe(store_copy)}", self._where, ["store_copy"]))
        self.store_copy: bool = store_copy is not False

    def _patterns(self, key: str, value: Any) -> List[str]:
        patterns = string_list(value)
        if patterns is None:
            self._problems.append(Problem(f"Catalog {key} must be a list of glob patterns (strings), got {describe(value)}", self._where, [key]))
            return []
        return patterns

    def _to_dag(self) -> Dict[str, Any]:
        """The step's ``catalog`` mapping (``store_copy`` only when it is off, runnable's default being on)."""
        dag: Dict[str, Any] = {"get": list(self.get), "put": list(self.put)}
        if not self.store_copy:
            dag["store_copy"] = False
        return dag

    def __repr__(self) -> str:
        return f"Catalog(get={self.get!r}, put={self.put!r}, store_copy={self.store_copy!r})"


class _Terminal:
    kind = "success"

    def __init__(self, name: Optional[str] = None) -> None:
        self._where = caller()
        self.name = name or self.kind
        self.next_node = ""

    def _to_dag(self, problems: List[Problem]) -> Dict[str, Any]:
        return {"type": self.kind}

    def _problems_of(self) -> List[Problem]:
        return []

    def _branch_snapshots(self) -> List[Tuple[List[Any], Any]]:
        return []

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class Success(_Terminal):
    """The step that marks its pipeline successful (added automatically unless ``add_terminal_nodes=False``)."""

    kind = "success"


class Fail(_Terminal):
    """The step that marks its pipeline failed (added automatically unless ``add_terminal_nodes=False``)."""

    kind = "fail"


def is_step(value: Any) -> bool:
    """True for any SDK step object (traversal or terminal)."""
    return isinstance(value, (_Traversal, _Terminal))


def is_pipeline(value: Any) -> bool:
    """True for a ``Pipeline`` (anything with a snapshot; imported lazily to keep modules acyclic)."""
    return hasattr(value, "_snapshot") and not is_step(value)


class _Traversal:
    """Linking shared by every step that goes on to a next one: ``next``, ``on_failure``, ``>>``, ``<<``, ``depends_on``.

    A subclass names its own keyword arguments in ``_own`` and reads them in ``_init``; ``kind`` is the
    YAML ``type`` it becomes. ``on_failure`` is a step name (February 2024) or a ``Pipeline`` whose
    steps run when this one fails (0.50); it is read when a pipeline is built, so it may be assigned
    after the step was made (``step.on_failure = pipeline``), as runnable 0.50's examples do.
    """

    kind = ""
    _own: tuple = ()

    def __init__(self, kwargs: Dict[str, Any], extra_allowed: bool = False) -> None:
        self._where: Where = caller()
        self._problems: List[Problem] = []
        self.name: str = kwargs.pop("name", "")
        self.next_node: str = kwargs.pop("next", "") or kwargs.pop("next_node", "")
        kwargs.pop("next_node", None)
        self.on_failure: Any = kwargs.pop("on_failure", "")
        self.terminate_with_success = bool(kwargs.pop("terminate_with_success", False))
        self.terminate_with_failure = bool(kwargs.pop("terminate_with_failure", False))
        own = {key: kwargs.pop(key) for key in list(kwargs) if key in self._own}
        self.extra: Dict[str, Any] = {}
        if extra_allowed:
            self.extra, kwargs = dict(kwargs), {}
        self._problems += unknown_arguments(f'step "{self.name}": {type(self).__name__}', kwargs, _TRAVERSAL + self._own, self._where)
        self._check_names()
        self._check_termination()
        self._init(own)

    def _init(self, own: Dict[str, Any]) -> None:
        """Reads the step's own arguments (subclasses)."""

    def _check_names(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            self._problems.append(Problem(f"{type(self).__name__}() needs a name (a non-empty string), got {describe(self.name)}", self._where, []))
            self.name = str(self.name or f"<unnamed {self.kind}>")
        value = self.next_node
        if not isinstance(value, str):
            self.next_node = value.name if is_step(value) else ""
            if not self.next_node:
                self._problems.append(Problem(f'step "{self.name}": next_node must be a step name, got {describe(value)}', self._where, ["next"]))

    def _check_termination(self) -> None:
        if self.terminate_with_success and self.terminate_with_failure:
            self._problems.append(Problem(f'step "{self.name}": A node cannot terminate with success and failure; keep one of the two', self._where, []))
            return
        if self.terminate_with_success or self.terminate_with_failure:
            if self.next_node and self.next_node not in ("success", "fail"):
                message = f'step "{self.name}": A node being terminated cannot have a user defined next node ("{self.next_node}"); drop next or the terminate flag'
                self._problems.append(Problem(message, self._where, ["next"]))
            self.next_node = "success" if self.terminate_with_success else "fail"

    def _link(self, source: Any, target: Any, where: Where) -> None:
        if not is_step(target) or not isinstance(source, _Traversal):
            what = source if not isinstance(source, _Traversal) else target
            self._problems.append(Problem(f"only steps can be linked, got {describe(what)}", where, []))
            return
        if source.next_node and source.next_node != target.name:
            message = f'step "{source.name}" already goes to "{source.next_node}"; it cannot also go to "{target.name}" (remove one of the links)'
            source._problems.append(Problem(message, where, ["next"]))
            return
        source.next_node = target.name

    def __rshift__(self, other: Any) -> Any:
        """``a >> b``: b runs after a; returns b so that links chain (``a >> b >> c``)."""
        self._link(self, other, caller())
        return other

    def __lshift__(self, other: Any) -> Any:
        """``a << b``: a runs after b; returns b."""
        self._link(other, self, caller())
        return other

    def depends_on(self, node: Any) -> Any:
        """``b.depends_on(a)``: b runs after a; returns b."""
        where = caller()
        if isinstance(node, _Terminal):
            self._problems.append(Problem(f'step "{self.name}" cannot depend on the terminal step "{node.name}"', where, []))
            return self
        self._link(node, self, where)
        return self

    def as_pipeline(self) -> Any:
        """A pipeline of this one step (runnable 0.50's ``task.as_pipeline()``)."""
        from ._sdk_pipeline import Pipeline

        return Pipeline(steps=[self])

    def _failure_pipeline(self) -> Any:
        """The ``Pipeline`` given as ``on_failure`` (its steps join the pipeline that holds this step), else None."""
        return self.on_failure if is_pipeline(self.on_failure) else None

    def _failure_target(self, problems: List[Problem]) -> str:
        value = self.on_failure
        if value is None or isinstance(value, str):
            return value or ""
        if is_step(value):
            return value.name
        if is_pipeline(value):
            return str(value._snapshot.dag.get("start_at") or "")
        problems.append(Problem(f'step "{self.name}": on_failure must be a Pipeline or a step name, got {describe(value)}', self._where, ["on_failure"]))
        return ""

    def _links(self, problems: List[Problem]) -> Dict[str, Any]:
        if not self.next_node:
            message = (
                f'step "{self.name}" has no next step: A node not being terminated must have a user defined next node; '
                "link it (a >> b, next=..., depends_on) or give terminate_with_success=True / terminate_with_failure=True"
            )
            problems.append(Problem(message, self._where, ["next"]))
        links: Dict[str, Any] = {"next": self.next_node or "success"}
        target = self._failure_target(problems)
        if target:
            links["on_failure"] = target
        return links

    def _to_dag(self, problems: List[Problem]) -> Dict[str, Any]:
        """The step as runnable's YAML mapping; problems found on the way are added to ``problems``."""
        return {"type": self.kind, **self._links(problems)}

    def _problems_of(self) -> List[Problem]:
        return list(self._problems)

    def _branch_snapshots(self) -> List[Tuple[List[Any], Any]]:
        """The snapshots of the pipelines inside this step, with their paths in its mapping (composite steps)."""
        return []

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, next={self.next_node!r})"


BaseTraversal = _Traversal
"""runnable 0.50's name for the base class of the steps that go on to a next one."""


def catalog_of(step: _Traversal, value: Any) -> Optional[Catalog]:
    """The step's ``catalog`` argument when it is a Catalog (its problems join the step's), else None with a problem."""
    if value is None or isinstance(value, Catalog):
        if value is not None:
            step._problems.extend(Problem(p.message, p.where, ["catalog", *p.path]) for p in value._problems)
        return value
    step._problems.append(Problem(f'step "{step.name}": catalog must be a Catalog(get=[...], put=[...]), got {describe(value)}', step._where, ["catalog"]))
    return None
