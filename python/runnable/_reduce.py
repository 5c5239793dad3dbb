"""Folds a map's collected values with a Python reducer: ``python -m runnable._reduce REQUEST RESULT``.

runnable 0.50's map ``reducer`` is a Python lambda (``"lambda *x: max(x)"``) or the dotted path of a
function, called with the values of the map's items as positional arguments. REQUEST is a JSON file
``{"expression": ..., "values": [...]}``; RESULT gets ``{"ok": true, "value": ...}`` or the failure.
"""

from __future__ import annotations

import importlib
import json
import os
import sys

from ._coerce import CoercionError, jsonable

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only
    from typing import Any, Callable, Dict


def reducer_of(expression: str) -> Callable[..., Any]:
    """The function an expression names: a lambda, or ``package.module.function`` importable from the working directory."""
    text = expression.strip()
    if text.startswith("lambda"):
        function = eval(text, {"__builtins__": __builtins__})  # noqa: S307 (the pipeline's own code, as runnable evaluates it)
    else:
        module_name, _, attribute = text.rpartition(".")
        if os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
        function = getattr(importlib.import_module(module_name), attribute)
    if not callable(function):
        raise TypeError(f"the reducer {expression!r} is not a function")
    return function


def reduce(request: Dict[str, Any]) -> Dict[str, Any]:
    """The reducer's value for the request, or why it failed."""
    try:
        function = reducer_of(str(request["expression"]))
        return {"ok": True, "value": jsonable(function(*list(request.get("values") or [])), where="the reduced value")}
    except (CoercionError, Exception) as error:  # noqa: BLE001 (anything the user's reducer raises)
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def main() -> int:
    """Entry point: read the request, write the result."""
    with open(sys.argv[1], encoding="utf-8") as handle:
        request = json.load(handle)
    result = reduce(request)
    with open(sys.argv[2], "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
