"""runnable's Python SDK and in-task API, run by runnable-ts.

Same names and signatures as runnable's: the SDK (``from runnable import Pipeline, Task, ...``,
loaded only when first used, so tasks that import the API stay quick) and the in-task API
(``from runnable import track_this, get_parameter, ...``).
Values travel through the task channel (``RUNNABLE_TASK_CHANNEL``: files and a Unix socket the task
runner provides), never through stdout. Outside a runnable-ts task the parameter and tracking
functions fall back to runnable's environment variables (``runnable_PRM_*``, ``runnable_TRACK_*``).
"""

from __future__ import annotations

import json as _json  # `runnable.json` is the SDK's returns kind json() (runnable 0.50), loaded below
import os

from . import _context
from ._coerce import coerce, jsonable

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: typing is not imported by tasks that do not need it
    from typing import Any, ContextManager, Dict, List, Optional

_SDK = {
    "Pipeline": "_sdk_pipeline",
    "Task": "_sdk_steps",
    "Stub": "_sdk_steps",
    "Parallel": "_sdk_composite",
    "Map": "_sdk_composite",
    "Conditional": "_sdk_composite",
    "Loop": "_sdk_composite",
    "Catalog": "_sdk_steps",
    "Success": "_sdk_steps",
    "Fail": "_sdk_steps",
    "RunLog": "_engine",
    # runnable 0.50's SDK (also `from runnable.sdk import ...`)
    "PythonTask": "_sdk_tasks",
    "ShellTask": "_sdk_tasks",
    "NotebookTask": "_sdk_tasks",
    "json": "_sdk_tasks",
    "pickled": "_sdk_tasks",
    "metric": "_sdk_tasks",
    "PythonJob": "_sdk_jobs",
    "ShellJob": "_sdk_jobs",
    "NotebookJob": "_sdk_jobs",
    # runnable 0.50 names not built yet: they import, and raise NotImplementedError naming the feature when used
    "AsyncPipeline": "_sdk_later",
    "AsyncPythonTask": "_sdk_later",
    "OTEL_AVAILABLE": "_sdk_later",
    "StreamingSpanProcessor": "_sdk_later",
    "get_stream_queue": "_sdk_later",
    "set_stream_queue": "_sdk_later",
    "truncate_value": "_sdk_later",
}

__all__ = [
    *_SDK,
    "track_this",
    "get_parameter",
    "set_parameter",
    "get_secret",
    "get_run_id",
    "get_tag",
    "get_run_log",
    "get_from_catalog",
    "put_in_catalog",
    "put_object",
    "get_object",
    "get_experiment_tracker_context",
]

_changed: Dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    """Loads the SDK classes on first use (PEP 562)."""
    module = _SDK.get(name)
    if module is None:
        raise AttributeError(f"module 'runnable' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    """The module's names, the SDK's (loaded on first use) included (PEP 562)."""
    return sorted(set(globals()) | set(_SDK))


class ParameterNotSetError(KeyError):
    """``get_parameter(key)`` for a parameter that does not exist."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "parameter not set"


def track_this(step: int = 0, **kwargs: Any) -> None:
    """Records metrics for the current step, e.g. ``track_this(step=1, loss=0.3)`` (step defaults to 0)."""
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise ValueError(f"track_this(): step must be a non-negative integer, got {step!r}")
    channel = _context.channel_dir()
    for key, value in kwargs.items():
        data = jsonable(value, by_alias=True, where=f"metric {key!r}")
        if channel:
            _context.append_event({"kind": "metric", "key": key, "step": step, "value": data, "time_ms": _context.now_ms()})
        else:
            os.environ[f"runnable_TRACK_{key}_STEP_{step}"] = _json.dumps(data)


def _env_parameters() -> Dict[str, Any]:
    """Parameters found in this process' environment (``RUNNABLE_PRM_`` wins over ``runnable_PRM_``)."""
    found: Dict[str, Any] = {}
    for prefix in reversed(_context.PARAMETER_PREFIXES):
        for name, text in os.environ.items():
            if name.startswith(prefix) and len(name) > len(prefix):
                try:
                    found[name[len(prefix):]] = _json.loads(text)
                except ValueError:
                    found[name[len(prefix):]] = text
    return found


def _all_parameters() -> Dict[str, Any]:
    ctx = _context.context()
    given = dict(ctx.get("parameters") or {})
    merged = dict(given)
    for key, value in _env_parameters().items():
        if key not in given or given[key] != value:
            merged[key] = value
    merged.update(_changed)
    return merged


def get_parameter(key: Optional[str] = None, cast_as: Any = None) -> Any:
    """All parameters (no key) or one; ``cast_as`` converts (pydantic model, dataclass, type or generic).

    An object parameter (returned with kind ``object``) is loaded: ``get_parameter("model")`` is the object.
    """
    everything = _all_parameters()
    if key is None:
        return everything if cast_as is None else coerce(everything, cast_as, "parameters")
    if key not in everything:
        known = ", ".join(sorted(everything)) or "(none)"
        raise ParameterNotSetError(f"Parameter {key} is not set before (known parameters: {known})")
    value = everything[key]
    if key not in _changed and _is_object(key):
        return _load_object(value)
    return value if cast_as is None else coerce(value, cast_as, key)


def _is_object(key: str) -> bool:
    """True for a parameter of kind ``object`` (its value names an object stored in the catalog)."""
    return dict(_context.context().get("parameter_kinds") or {}).get(key) == "object"


def _load_object(value: Any) -> Any:
    """The object (or a map's list of objects) an object parameter names, fetched from the catalog."""
    from ._returns import object_loader

    files = dict(_context.context().get("object_files") or {})
    return object_loader(files, lambda file: str(_context.call("get_object", name=file)))(value)


def set_parameter(**kwargs: Any) -> None:
    """Sets parameters for the following steps (kept only if the step succeeds); models dump by alias."""
    channel = _context.channel_dir()
    for key, value in kwargs.items():
        data = jsonable(value, by_alias=True, where=f"parameter {key!r}")
        _changed[key] = data
        if channel:
            _context.append_event({"kind": "parameter", "key": key, "value": data})
        else:
            os.environ[f"runnable_PRM_{key}"] = _json.dumps(data)


def get_run_id() -> str:
    """The current run's id."""
    return str(_context.context().get("run_id") or os.environ.get("RUNNABLE_RUN_ID") or os.environ.get("runnable_RUN_ID", ""))


def get_tag() -> str:
    """The current run's tag ("" when none)."""
    return str(_context.context().get("tag") or os.environ.get("RUNNABLE_RUN_TAG") or os.environ.get("runnable_RUN_TAG", ""))


def get_secret(name: str) -> str:
    """A secret's value from the run's secrets service (masked in everything runnable writes)."""
    return str(_context.call("get_secret", name=name))


def get_run_log() -> Dict[str, Any]:
    """The run log as stored now (a plain dict in runnable's JSON shape)."""
    return _context.call("get_run_log")


def get_from_catalog(name: str, destination_folder: Optional[str] = None) -> List[Dict[str, Any]]:
    """Copies catalog files matching the glob ``name`` into the working directory (or ``destination_folder``).

    Returns the catalog records (also added to the step's ``data_catalog``); fails when nothing matches.
    """
    records = _context.call("get_from_catalog", name=name)
    if destination_folder:
        import shutil

        for record in records:
            target = os.path.join(destination_folder, record["name"])
            os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
            shutil.move(record["name"], target)
    return records


def put_in_catalog(filepath: str) -> List[Dict[str, Any]]:
    """Copies files matching the glob ``filepath`` into the run's catalog; returns the records."""
    return _context.call("put_in_catalog", name=filepath)


def put_object(data: Any, name: str) -> None:
    """Pickles ``data`` into the catalog as ``<name>.pickle``."""
    import pickle

    path = f"{name}.pickle"
    with open(path, "wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        put_in_catalog(path)
    finally:
        os.remove(path)


def get_object(name: str) -> Any:
    """The object ``put_object`` stored as ``<name>``."""
    import pickle

    path = f"{name}.pickle"
    get_from_catalog(path)
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    finally:
        os.remove(path)


def get_experiment_tracker_context() -> ContextManager[Any]:
    """A context manager for logging to the tracker directly.

    With the mlflow tracker and the ``mlflow`` package installed it is ``mlflow.start_run`` on the
    run runnable-ts logs to; otherwise it yields the tracker's context mapping (``tracking_uri``,
    ``run_id``, ... for mlflow; empty for do-nothing).
    """
    import contextlib

    details = dict(_context.context().get("tracker_context") or {})
    if details.get("tracking_uri") and details.get("run_id"):
        try:
            import mlflow
        except ImportError:
            return contextlib.nullcontext(details)
        mlflow.set_tracking_uri(details["tracking_uri"])
        return mlflow.start_run(run_id=details["run_id"])
    return contextlib.nullcontext(details)
