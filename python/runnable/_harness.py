"""Runs one ``python`` task: ``python -m runnable._harness`` inside the task channel.

Imports ``package.module.function`` from the working directory, binds the parameters to its
arguments, calls it and writes ``result.json`` (returned parameters or the failure) and ``env.json``
(the env-var protocol) into the channel. User output goes to stdout/stderr untouched.
"""

from __future__ import annotations

import importlib
import os
import sys

from . import _context
from ._coerce import returned_parameters

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: typing is not imported when tasks run
    from typing import Any, Callable, Dict, List


class TaskError(Exception):
    """A failure of the task that is not an exception raised by user code."""


def load_function(command: str) -> Callable[..., Any]:
    """Imports the function a dotted command names, with clear errors."""
    module_name, _, attribute = command.strip().rpartition(".")
    if not module_name or not attribute:
        raise TaskError(f'The command should be a function to call as package.module.function, got "{command}"')
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            raise TaskError(
                f'cannot import module "{module_name}" (command "{command}"): {error}; modules are '
                f"imported from the working directory {os.getcwd()} and PYTHONPATH"
            ) from None
        _print_traceback(error)
        raise TaskError(f'importing "{module_name}" failed: {_describe(error)}{install_hint(error.name)}') from None
    except Exception as error:  # noqa: BLE001 (any import-time failure of user code)
        _print_traceback(error)
        raise TaskError(f'importing "{module_name}" failed: {_describe(error)}') from None
    function = getattr(module, attribute, None)
    if not callable(function):
        found = sorted(n for n, v in vars(module).items() if callable(v) and not n.startswith("_"))
        hint = f"; callables there: {', '.join(found[:20])}" if found else ""
        raise TaskError(f'module "{module_name}" has no function "{attribute}"{hint}')
    return function


# import names whose package on PyPI has another name
_PACKAGES = {"yaml": "pyyaml", "sklearn": "scikit-learn", "cv2": "opencv-python", "PIL": "pillow", "bs4": "beautifulsoup4", "dateutil": "python-dateutil"}


def install_hint(module: Any) -> str:
    """``; install it: <python> -m pip install <package>`` for a missing top-level module, else ""."""
    if not module:
        return ""
    top = str(module).split(".")[0]
    return f"; install it for the Python that runs tasks: {sys.executable} -m pip install {_PACKAGES.get(top, top)}"


def _describe(error: BaseException) -> str:
    """``Type: message`` (just the type when the message is empty)."""
    message = str(error)
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def _print_traceback(error: BaseException) -> None:
    """The traceback without the harness' own frames."""
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    here = os.path.dirname(os.path.abspath(__file__))
    user = [f for f in frames if not os.path.abspath(f.filename).startswith(here) and "importlib" not in f.filename]
    text = "Traceback (most recent call last):\n" + "".join(traceback.format_list(user)) if user else ""
    text += "".join(traceback.format_exception_only(type(error), error))
    sys.stderr.write(text)


def _invoke(function: Callable[..., Any], args: List[Any], kwargs: Dict[str, Any]) -> Any:
    value = function(*args, **kwargs)
    if hasattr(value, "__await__"):
        import asyncio

        value = asyncio.run(_await(value))
    return value


async def _await(awaitable: Any) -> Any:
    return await awaitable


def _object_loaders(context: Dict[str, Any]) -> Dict[str, Callable[[], Any]]:
    """Loaders of the object parameters (kind ``object``), each fetching its file from the catalog when called."""
    kinds = dict(context.get("parameter_kinds") or {})
    names = [name for name, kind in kinds.items() if kind == "object"]
    if not names:
        return {}
    from ._returns import object_loader  # noqa: PLC0415 (only runs passing objects need it)

    load = object_loader(dict(context.get("object_files") or {}), lambda file: str(_context.call("get_object", name=file)))
    parameters = dict(context.get("parameters") or {})
    return {name: (lambda value=parameters.get(name): load(value)) for name in names if name in parameters}


def _returned(returned: Any, context: Dict[str, Any], command: str) -> Dict[str, Any]:
    """``result.json`` of a function that returned: its declared returns, else the February-2024 parameters.

    A runnable 0.50 task (``returns`` in its definition, even empty) ignores what is not declared, as 0.50 does.
    """
    returns = list(context.get("returns") or [])
    if not returns:
        if context.get("declares_returns"):
            return {"ok": True, "parameters": {}}
        return {"ok": True, "parameters": returned_parameters(returned, command)}
    from ._returns import collect, returned_values  # noqa: PLC0415

    objects_dir = os.path.join(_context.require_channel("returns"), "objects")
    return {"ok": True, "parameters": {}, **collect(returned_values(returned, returns), objects_dir)}


def run_task(context: Dict[str, Any]) -> Dict[str, Any]:
    """Runs the task the context describes; returns what goes into ``result.json``."""
    from ._binding import BindingError, bind

    command = str(context.get("command", ""))
    try:
        function = load_function(command)
        args, kwargs = bind(function, dict(context.get("parameters") or {}), command, _object_loaders(context))
    except (TaskError, BindingError) as error:
        return {"ok": False, "error": str(error)}
    except Exception as error:  # noqa: BLE001 (an object that cannot be fetched or unpickled)
        _print_traceback(error)
        return {"ok": False, "error": f"loading the object parameters of {command} failed: {_describe(error)}"}
    try:
        returned = _invoke(function, args, kwargs)
    except SystemExit as error:
        if error.code not in (None, 0):
            return {"ok": False, "error": f"SystemExit: {error.code}"}
        returned = None
    except BaseException as error:  # noqa: BLE001 (the step fails with the user's exception)
        _print_traceback(error)
        hint = install_hint(error.name) if isinstance(error, ModuleNotFoundError) else ""
        return {"ok": False, "error": _describe(error) + hint}
    try:
        return _returned(returned, context, command)
    except (TypeError, ValueError) as error:
        return {"ok": False, "error": str(error)}


def finish(result: Dict[str, Any]) -> None:
    """Writes ``result.json`` and ``env.json`` into the channel (after flushing the task's output)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass  # closed or replaced by the task
    try:
        _context.write_json("result.json", result)
    except (TypeError, ValueError) as error:
        _context.write_json("result.json", {"ok": False, "error": f"the returned parameters are not JSON: {error}"})
    _context.dump_env()


def main() -> int:
    """Entry point of ``python -m runnable._harness``."""
    _context.require_channel("the python task harness")
    finish(run_task(_context.context()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
