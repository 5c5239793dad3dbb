"""Names runnable 0.50 exports that runnable-ts does not build yet: importing them works, using them says what is missing.

Each entry of ``NOT_BUILT`` is one exported name and the feature (with the issue that brings it). When
a feature lands, its names move in the package's table of lazy names (``runnable/__init__.py``) from
this module to the module that builds them; nothing else changes.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs a script's start-up
    from typing import Any, Dict

_ASYNC = "async pipelines (AsyncPipeline, AsyncPythonTask and their streamed events, runnable 0.47) are not planned yet"
_STREAM = "streaming the spans of async pipelines (runnable 0.47's telemetry) is not planned yet"

NOT_BUILT: Dict[str, str] = {
    "AsyncPipeline": _ASYNC,
    "AsyncPythonTask": _ASYNC,
    "get_stream_queue": _STREAM,
    "set_stream_queue": _STREAM,
    "truncate_value": _STREAM,
}

AVAILABLE = "PythonTask, ShellTask, NotebookTask, Stub, Parallel, Map, Conditional, Loop, Pipeline, PythonJob, ShellJob, NotebookJob (and February 2024's Task)"

# What runnable 0.50 itself exports when OpenTelemetry is not installed.
OTEL_AVAILABLE = False
StreamingSpanProcessor = None


class NotBuiltError(NotImplementedError):
    """A runnable 0.50 name that runnable-ts exports but does not build yet was used."""


def _message(name: str) -> str:
    return f"runnable-ts does not support {name} yet: {NOT_BUILT[name]}. Available now: {AVAILABLE}."


def _placeholder(name: str) -> Any:
    if name[0].islower():

        def function(*args: Any, **kwargs: Any) -> Any:
            raise NotBuiltError(_message(name))

        function.__name__ = function.__qualname__ = name
        function.__doc__ = f"Not built in runnable-ts yet: {NOT_BUILT[name]}."
        return function

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        raise NotBuiltError(_message(name))

    return type(name, (), {"__init__": __init__, "__doc__": f"Not built in runnable-ts yet: {NOT_BUILT[name]}.", "__module__": "runnable.sdk"})


def __getattr__(name: str) -> Any:
    """The placeholder of a name that is not built yet (PEP 562): it raises ``NotBuiltError`` when called."""
    if name not in NOT_BUILT:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = _placeholder(name)
    globals()[name] = value
    return value
