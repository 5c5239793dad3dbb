"""What a task returns by name (runnable 0.50's ``returns``) and the objects passed between tasks.

A task declaring ``returns`` hands its return value back as named parameters: a tuple gives one value
per declared name (in order), anything else is the one value of a single name, as in runnable 0.50.
A ``json`` or ``metric`` value must be JSON data (pydantic models dump by alias, dataclasses, numpy
values and the like are converted); an ``object`` value is pickled into a file of the task's channel
(with dill when it is installed, as 0.50 does, else with pickle, which dill reads) and the engine
stores that file in the run's catalog as ``<name>.dill``. Object parameters are loaded back, from the
file the engine fetches, only for the functions that name them.
"""

from __future__ import annotations

import os

from ._coerce import CoercionError, jsonable

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: typing is not imported when tasks run
    from typing import Any, Callable, Dict, List, Tuple


class ReturnsError(ValueError):
    """The returned value does not fit the declared returns."""


def _pickler() -> Any:
    """dill when installed (runnable 0.50's pickler, which also reads plain pickles), else pickle."""
    try:
        import dill  # noqa: PLC0415 (optional)

        return dill
    except ImportError:
        import pickle  # noqa: PLC0415

        return pickle


def dump_object(value: Any, path: str) -> None:
    """Pickles ``value`` into ``path`` (owner-only: it may hold anything the task had)."""
    pickler = _pickler()
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
        pickler.dump(value, handle, protocol=pickler.HIGHEST_PROTOCOL)


def load_object(path: str) -> Any:
    """Unpickles the object in ``path``."""
    with open(path, "rb") as handle:
        return _pickler().load(handle)


def returned_values(returned: Any, returns: List[Dict[str, Any]]) -> List[Tuple[Dict[str, Any], Any]]:
    """Pairs each declared return with its value: a tuple is unpacked, any other value is a single one."""
    values = returned if isinstance(returned, tuple) else (returned,)
    if len(values) != len(returns):
        names = ", ".join(str(r.get("name")) for r in returns)
        raise ReturnsError(
            f"the function returned {len(values)} value{'s' if len(values) != 1 else ''} but the step declares "
            f"{len(returns)} returns ({names}); return a tuple with one value per name, in order"
        )
    return list(zip(returns, values))


def collect(pairs: List[Tuple[Dict[str, Any], Any]], objects_dir: str) -> Dict[str, Any]:
    """``{"returns": {name: value}}``: JSON values converted, objects pickled into ``objects_dir/<file>``."""
    values: Dict[str, Any] = {}
    for spec, value in pairs:
        name = str(spec["name"])
        if spec.get("kind") == "object":
            os.makedirs(objects_dir, mode=0o700, exist_ok=True)
            path = os.path.join(objects_dir, str(spec["file"]))
            try:
                dump_object(value, path)
            except Exception as error:  # noqa: BLE001 (what the pickler refuses)
                raise ReturnsError(f"the returned object {name!r} cannot be pickled: {type(error).__name__}: {error}") from None
            values[name] = spec["object"]
            continue
        try:
            values[name] = jsonable(value, by_alias=True, where=f"returned value {name!r}")
        except CoercionError as error:
            raise ReturnsError(f"{error}; return it with kind object (pickled) to pass it on as it is") from None
    return {"returns": values}


def object_loader(files: Dict[str, str], fetch: Callable[[str], str]) -> Callable[[Any], Any]:
    """Loads an object parameter's value (one object name, or a list of them) through ``fetch`` (file → local path)."""

    def load_one(name: Any) -> Any:
        file = files.get(str(name))
        if file is None:
            raise ReturnsError(f"object {name!r} is not known to this task")
        path = fetch(file)
        try:
            return load_object(path)
        finally:
            try:
                os.remove(path)
            except OSError:
                pass

    def load(value: Any) -> Any:
        if isinstance(value, list):
            return [load_one(item) for item in value]
        return load_one(value)

    return load


def dump_namespace(namespace: Dict[str, Any], returns: List[Dict[str, Any]], objects_dir: str, out: str) -> None:
    """Writes the named variables of a notebook's namespace (``returns``) to ``out`` as JSON (run in the kernel)."""
    import json  # noqa: PLC0415

    try:
        missing = [str(r["name"]) for r in returns if str(r["name"]) not in namespace]
        if missing:
            raise ReturnsError(f"the notebook has no variable {', '.join(missing)} (the step's returns name {'them' if len(missing) > 1 else 'it'})")
        result: Dict[str, Any] = {"ok": True, **collect([(r, namespace[str(r["name"])]) for r in returns], objects_dir)}
    except ReturnsError as error:
        result = {"ok": False, "error": str(error)}
    with os.fdopen(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
        json.dump(result, handle)
