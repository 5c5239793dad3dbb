"""February 2024's steps of runnable's Python SDK: Task and Stub (spec §3.3, §3.4).

``Catalog``, ``Success`` and ``Fail`` are shared with runnable 0.50's SDK and live in ``_sdk_base``;
they are imported here too, where the package's table of lazy names finds them.
"""

from __future__ import annotations

import json
TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs a script's start-up
    from typing import Any, Dict, List

from ._sdk_base import Catalog, Fail, Success, _Traversal, catalog_of
from ._sdk_problems import Problem, describe

__all__ = ["Catalog", "Fail", "Stub", "Success", "Task"]

ALLOWED_COMMAND_TYPES = ("shell", "python", "notebook")
NOTEBOOK_ONLY = ("notebook_output_path", "optional_ploomber_args", "output_cell_tag")


class Task(_Traversal):
    """A step running a command: a Python function (``package.module.function``), a shell command or a notebook."""

    kind = "task"
    _own = ("command", "command_type", "catalog", "overrides", "max_attempts", "secrets") + NOTEBOOK_ONLY

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(kwargs)

    def _init(self, own: Dict[str, Any]) -> None:
        self.command: str = own.pop("command", "")
        self.command_type: str = own.pop("command_type", "python")
        self.catalog = catalog_of(self, own.pop("catalog", None))
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
            dag["catalog"] = self.catalog._to_dag()
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
        self.catalog = catalog_of(self, own.get("catalog"))
        for key, value in self.extra.items():
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                self._problems.append(Problem(f'step "{self.name}": the extra argument {key} must be JSON data, got {describe(value)}', self._where, [key]))

    def _to_dag(self, problems: List[Problem]) -> Dict[str, Any]:
        dag = {**self.extra, **super()._to_dag(problems)}
        if self.catalog is not None:
            dag["catalog"] = self.catalog._to_dag()
        return dag
