"""The steps of runnable's Python SDK: Catalog, Task, Stub, Success, Fail (spec §3; Parallel and Map in _sdk_composite).

Plain Python (no pydantic), so importing the SDK stays cheap. Nothing raises while a pipeline is
being written: problems are remembered with the line that caused them and reported together, like
YAML problems, when the pipeline is validated or executed.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from ._sdk_problems import Problem, Where, caller, describe, string_list, unknown_arguments

ALLOWED_COMMAND_TYPES = ("shell", "python", "notebook")
NOTEBOOK_ONLY = ("notebook_output_path", "optional_ploomber_args", "output_cell_tag")
_TRAVERSAL = ("name", "next", "next_node", "on_failure", "terminate_with_success", "terminate_with_failure")


class Catalog:
    """Files to get from the run's catalog before a step and to put into it after the step succeeds."""

    def __init__(self, **kwargs: Any) -> None:
        self._where = caller()
        self._problems: List[Problem] = []
        get, put = kwargs.pop("get", []), kwargs.pop("put", [])
        self._problems += unknown_arguments("Catalog", kwargs, ("get", "put"), self._where)
        self.get: List[str] = self._patterns("get", get)
        self.put: List[str] = self._patterns("put", put)

    def _patterns(self, key: str, value: Any) -> List[str]:
        patterns = string_list(value)
        if patterns is None:
            self._problems.append(Problem(f"Catalog {key} must be a list of glob patterns (strings), got {describe(value)}", self._where, [key]))
            return []
        return patterns

    def __repr__(self) -> str:
        return f"Catalog(get={self.get!r}, put={self.put!r})"


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

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class Success(_Terminal):
    """The step that marks its pipeline successful (added automatically with ``add_terminal_nodes``)."""

    kind = "success"


class Fail(_Terminal):
    """The step that marks its pipeline failed (added automatically with ``add_terminal_nodes``)."""

    kind = "fail"


class _Traversal:
    """Linking shared by Task, Stub, Parallel and Map: ``next``, ``on_failure``, ``>>``, ``<<``, ``depends_on``."""

    kind = ""
    _own: tuple = ()

    def __init__(self, kwargs: Dict[str, Any], extra_allowed: bool = False) -> None:
        self._where: Where = caller()
        self._problems: List[Problem] = []
        self.name: str = kwargs.pop("name", "")
        self.next_node: str = kwargs.pop("next", "") or kwargs.pop("next_node", "")
        kwargs.pop("next_node", None)
        self.on_failure: str = kwargs.pop("on_failure", "")
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
        for key in ("next_node", "on_failure"):
            value = getattr(self, key)
            if not isinstance(value, str):
                setattr(self, key, getattr(value, "name", "") if isinstance(value, (_Traversal, _Terminal)) else "")
                if not getattr(self, key):
                    self._problems.append(Problem(f'step "{self.name}": {key} must be a step name, got {describe(value)}', self._where, [key]))

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
        if not isinstance(target, (_Traversal, _Terminal)) or not isinstance(source, _Traversal):
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

    def _links(self, problems: List[Problem]) -> Dict[str, Any]:
        if not self.next_node:
            message = (
                f'step "{self.name}" has no next step: A node not being terminated must have a user defined next node; '
                "link it (a >> b, next=..., depends_on) or give terminate_with_success=True / terminate_with_failure=True"
            )
            problems.append(Problem(message, self._where, ["next"]))
        links: Dict[str, Any] = {"next": self.next_node or "success"}
        if self.on_failure:
            links["on_failure"] = self.on_failure
        return links

    def _to_dag(self, problems: List[Problem]) -> Dict[str, Any]:
        """The step as runnable's YAML mapping; problems found on the way are added to ``problems``."""
        return {"type": self.kind, **self._links(problems)}

    def _problems_of(self) -> List[Problem]:
        return list(self._problems)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, next={self.next_node!r})"


def _catalog(step: _Traversal, value: Any) -> Optional[Catalog]:
    if value is None or isinstance(value, Catalog):
        if value is not None:
            step._problems.extend(Problem(p.message, p.where, ["catalog", *p.path]) for p in value._problems)
        return value
    step._problems.append(Problem(f'step "{step.name}": catalog must be a Catalog(get=[...], put=[...]), got {describe(value)}', step._where, ["catalog"]))
    return None


class Task(_Traversal):
    """A step running a command: a Python function (``package.module.function``), a shell command or a notebook."""

    kind = "task"
    _own = ("command", "command_type", "catalog", "overrides", "max_attempts", "secrets") + NOTEBOOK_ONLY

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(kwargs)

    def _init(self, own: Dict[str, Any]) -> None:
        self.command: str = own.pop("command", "")
        self.command_type: str = own.pop("command_type", "python")
        self.catalog = _catalog(self, own.pop("catalog", None))
        self.overrides: Dict[str, Any] = own.pop("overrides", {}) or {}
        self.options = own
        if self.command_type not in ALLOWED_COMMAND_TYPES:
            message = f'step "{self.name}": Invalid command_type: {self.command_type}; use one of {", ".join(ALLOWED_COMMAND_TYPES)}'
            self._problems.append(Problem(message, self._where, ["command_type"]))
        if not isinstance(self.command, str) or not self.command.strip():
            self._problems.append(Problem(f'step "{self.name}": Task() needs a command (a non-empty string), got {describe(self.command)}', self._where, ["command"]))
        for key in NOTEBOOK_ONLY:
            if own.get(key) is not None and self.command_type != "notebook":
                message = f"step \"{self.name}\": Only command_types of 'notebook' can be used with {key}; remove it or set command_type=\"notebook\""
                self._problems.append(Problem(message, self._where, [key]))

    def _to_dag(self, problems: List[Problem]) -> Dict[str, Any]:
        dag: Dict[str, Any] = {"type": "task", "command_type": self.command_type, "command": self.command, **self._links(problems)}
        if self.catalog is not None:
            dag["catalog"] = {"get": self.catalog.get, "put": self.catalog.put}
        if self.overrides:
            dag["overrides"] = self.overrides
        dag.update({key: value for key, value in self.options.items() if value is not None})
        return dag


class Stub(_Traversal):
    """A step that does nothing and succeeds; any extra keyword arguments are kept in the definition."""

    kind = "stub"
    _own = ("catalog",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(kwargs, extra_allowed=True)

    def _init(self, own: Dict[str, Any]) -> None:
        self.catalog = _catalog(self, own.get("catalog"))
        for key, value in self.extra.items():
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                self._problems.append(Problem(f'step "{self.name}": the extra argument {key} must be JSON data, got {describe(value)}', self._where, [key]))

    def _to_dag(self, problems: List[Problem]) -> Dict[str, Any]:
        dag = {**self.extra, **super()._to_dag(problems)}
        if self.catalog is not None:
            dag["catalog"] = {"get": self.catalog.get, "put": self.catalog.put}
        return dag
