"""runnable 0.50's task steps: PythonTask, ShellTask, NotebookTask, and the ``returns`` kinds json/pickled/metric.

Each becomes a YAML ``task`` mapping as 0.50's YAML writes it: ``command_type``, ``command``,
``returns`` as a list of ``{name, kind}`` (kind ``json``, ``object`` for ``pickled(...)``, ``metric``),
``secrets``, ``catalog`` and ``overrides``. Problems are recorded at the user's line, never raised.
"""

from __future__ import annotations

import os
import sys
TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs a script's start-up
    from typing import Any, Dict, List

from ._sdk_base import _Traversal, catalog_of
from ._sdk_problems import Problem, caller, describe, string_list

if TYPE_CHECKING:
    from ._sdk_problems import Where

__all__ = ["BaseTask", "NotebookTask", "PythonTask", "ShellTask", "TaskReturns", "json", "metric", "pickled"]

RETURN_KINDS = ("json", "object", "metric")


class TaskReturns:
    """One value a task returns: its parameter name and kind (``json``, ``object`` — pickled — or ``metric``)."""

    __slots__ = ("name", "kind", "_where", "_problems")

    def __init__(self, name: str, kind: str = "json") -> None:
        self._where: Where = caller()
        self._problems: List[Problem] = []
        if not isinstance(name, str) or not name:
            self._problems.append(Problem(f"a returned value needs a name (a non-empty string), got {describe(name)}", self._where, []))
        if kind not in RETURN_KINDS:
            self._problems.append(Problem(f"kind of returned value {name!r} must be one of {', '.join(RETURN_KINDS)}, got {describe(kind)}", self._where, []))
        self.name = name if isinstance(name, str) else str(name)
        self.kind = kind

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, TaskReturns) and (self.name, self.kind) == (other.name, other.kind)

    def __hash__(self) -> int:
        return hash((self.name, self.kind))

    def __repr__(self) -> str:
        return f"TaskReturns(name={self.name!r}, kind={self.kind!r})"


def json(name: str) -> TaskReturns:
    """A returned value stored as a JSON parameter (the default for a plain name)."""
    return TaskReturns(name, "json")


def pickled(name: str) -> TaskReturns:
    """A returned Python object, pickled into the run's catalog and loaded by the tasks that take it as an argument."""
    return TaskReturns(name, "object")


def metric(name: str) -> TaskReturns:
    """A returned value that is also a metric of the step (its ``user_defined_metrics``, and the experiment tracker)."""
    return TaskReturns(name, "metric")


class BaseTask(_Traversal):
    """What runnable 0.50's tasks share: ``catalog``, ``overrides``, ``returns`` and ``secrets``."""

    kind = "task"
    command_type = ""
    _own: tuple = ("catalog", "overrides", "returns", "secrets")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(kwargs)

    def _init(self, own: Dict[str, Any]) -> None:
        self.catalog = catalog_of(self, own.pop("catalog", None))
        self.overrides: Dict[str, Any] = self._mapping("overrides", own.pop("overrides", None))
        self.returns: List[TaskReturns] = self._returns(own.pop("returns", None))
        secrets = own.pop("secrets", None)
        self.secrets: List[str] = string_list(secrets if secrets is not None else []) or []
        if secrets is not None and string_list(secrets) is None:
            self._problems.append(Problem(f'step "{self.name}": secrets must be a list of secret names, got {describe(secrets)}', self._where, ["secrets"]))
        self._init_task(own)

    def _init_task(self, own: Dict[str, Any]) -> None:
        """Reads the task kind's own arguments (subclasses)."""

    def _mapping(self, key: str, value: Any) -> Dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self._problems.append(Problem(f'step "{self.name}": {key} must be a mapping, got {describe(value)}', self._where, [key]))
            return {}
        return dict(value)

    def _returns(self, value: Any) -> List[TaskReturns]:
        if value is None:
            return []
        if not isinstance(value, (list, tuple)):
            message = f'step "{self.name}": returns must be a list of names or json()/pickled()/metric() values, got {describe(value)}'
            self._problems.append(Problem(message, self._where, ["returns"]))
            return []
        found: List[TaskReturns] = []
        for index, item in enumerate(value):
            if isinstance(item, TaskReturns):
                self._problems.extend(Problem(f'step "{self.name}": {p.message}', p.where, ["returns", index]) for p in item._problems)
                found.append(item)
            elif isinstance(item, str) and item:
                found.append(TaskReturns(item))
            else:
                message = f'step "{self.name}": returns[{index}] must be a name or json()/pickled()/metric(), got {describe(item)}'
                self._problems.append(Problem(message, self._where, ["returns", index]))
        return found

    def _command(self) -> str:
        """The task's ``command`` (subclasses)."""
        return ""

    def _options(self) -> Dict[str, Any]:
        """Keys of the task kind beyond those every task has (subclasses)."""
        return {}

    def _to_dag(self, problems: List[Problem]) -> Dict[str, Any]:
        dag: Dict[str, Any] = {"type": "task", "command_type": self.command_type, "command": self._command(), **self._links(problems)}
        if self.catalog is not None:
            dag["catalog"] = self.catalog._to_dag()
        if self.overrides:
            dag["overrides"] = self.overrides
        # Always written, even empty: it marks the step as runnable 0.50's (a function's return value
        # beyond its returns is ignored, where a February-2024 Task's function returns its parameters).
        dag["returns"] = [{"name": item.name, "kind": item.kind} for item in self.returns]
        if self.secrets:
            dag["secrets"] = list(self.secrets)
        dag.update(self._options())
        return dag

    def as_pipeline(self) -> Any:
        """A pipeline of this one task, named after it (runnable 0.50's ``task.as_pipeline()``)."""
        from ._sdk_pipeline import Pipeline

        return Pipeline(steps=[self], name=self.name)


class PythonTask(BaseTask):
    """A step calling a Python function (given as the function itself; it runs as ``module.function``)."""

    command_type = "python"
    _own = BaseTask._own + ("function",)

    def _init_task(self, own: Dict[str, Any]) -> None:
        self.function: Any = own.get("function")
        self._function_command = self._command_of(self.function) if "function" in own else ""
        if "function" not in own:
            self._problems.append(Problem(f'step "{self.name}": PythonTask() needs a function (function=my_function)', self._where, ["command"]))

    def _command_of(self, function: Any) -> str:
        module, name = getattr(function, "__module__", None), getattr(function, "__name__", None)
        qualname = getattr(function, "__qualname__", name) or ""
        if not callable(function) or not module or not name:
            self._problems.append(Problem(f'step "{self.name}": PythonTask function must be a function, got {describe(function)}', self._where, ["command"]))
            return ""
        if "<" in qualname or "." in qualname:
            message = (
                f'step "{self.name}": PythonTask function {qualname} is not defined at the top level of a module, '
                "so the task cannot import it by name; define it with def at the top level of a module"
            )
            self._problems.append(Problem(message, self._where, ["command"]))
        if module == "__main__":
            module = _main_module() or ""
            if not module:
                message = (
                    f'step "{self.name}": PythonTask function {name} is defined in the script being run, which cannot be imported '
                    "from the working directory; run the script from its project folder or move the function into a module"
                )
                self._problems.append(Problem(message, self._where, ["command"]))
                return name
        return f"{module}.{name}"

    def _command(self) -> str:
        return self._function_command


class ShellTask(BaseTask):
    """A step running a shell command; ``returns`` names the variables it exports."""

    command_type = "shell"
    _own = BaseTask._own + ("command",)

    def _init_task(self, own: Dict[str, Any]) -> None:
        self.command: Any = own.get("command", "")
        if not isinstance(self.command, str) or not self.command.strip():
            self._problems.append(Problem(f'step "{self.name}": ShellTask() needs a command (a non-empty string), got {describe(self.command)}', self._where, ["command"]))

    def _command(self) -> str:
        return self.command if isinstance(self.command, str) else ""


class NotebookTask(BaseTask):
    """A step executing a Jupyter notebook (path relative to the working directory); ``returns`` names its variables."""

    command_type = "notebook"
    _own = BaseTask._own + ("notebook", "optional_ploomber_args")

    def _init_task(self, own: Dict[str, Any]) -> None:
        self.notebook: Any = own.get("notebook", "")
        self.optional_ploomber_args: Any = own.get("optional_ploomber_args")
        if not isinstance(self.notebook, str) or not self.notebook.strip():
            message = f'step "{self.name}": NotebookTask() needs a notebook (the path of an .ipynb file), got {describe(self.notebook)}'
            self._problems.append(Problem(message, self._where, ["command"]))
        if self.optional_ploomber_args is not None and not isinstance(self.optional_ploomber_args, dict):
            message = f'step "{self.name}": optional_ploomber_args must be a mapping, got {describe(self.optional_ploomber_args)}'
            self._problems.append(Problem(message, self._where, ["optional_ploomber_args"]))

    def _command(self) -> str:
        return self.notebook if isinstance(self.notebook, str) else ""

    def _options(self) -> Dict[str, Any]:
        return {"optional_ploomber_args": self.optional_ploomber_args} if isinstance(self.optional_ploomber_args, dict) else {}


def _main_module() -> str:
    """The importable name of the script being run (``python -m pkg.mod``, or its path under the working directory), else ""."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and getattr(spec, "name", "") not in ("", "__main__"):
        return spec.name
    file = getattr(main, "__file__", None)
    if not file:
        return ""
    relative = os.path.relpath(os.path.abspath(file), os.getcwd())
    if relative.startswith("..") or not relative.endswith(".py"):
        return ""
    return relative[: -len(".py")].replace(os.sep, ".")
