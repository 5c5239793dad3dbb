"""Turning parameters into function arguments and return values into parameters.

Fixes runnable's binding defects (spec §16.2 #10-11): un-annotated arguments and typing generics get
the raw JSON value (validated with pydantic's TypeAdapter when pydantic is installed), ``**kwargs``
receives the remaining parameters, and casting validates instead of calling ``T(value)`` (so
``bool("false")`` is False, not True). pydantic is never imported unless it is needed.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: typing is not imported when tasks run
    from typing import Any, Dict, Optional

_SIMPLE = (int, float, str, bool, dict, list)


class CoercionError(TypeError):
    """A value could not be converted to the annotated type."""


def _pydantic(load: bool = False) -> Optional[Any]:
    """The pydantic module if already imported (or importable, when ``load``), else None."""
    module = sys.modules.get("pydantic")
    if module is not None or not load:
        return module
    try:
        import pydantic  # noqa: PLC0415 (imported only when a type needs it)
    except ImportError:
        return None
    return pydantic


def is_model_class(annotation: Any) -> bool:
    """True for pydantic model classes (without importing pydantic)."""
    pydantic = _pydantic()
    return bool(pydantic) and isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel)


def _is_dataclass_instance(value: Any) -> bool:
    """True for dataclass instances (no value can be one unless ``dataclasses`` was imported)."""
    dataclasses = sys.modules.get("dataclasses")
    return dataclasses is not None and dataclasses.is_dataclass(value) and not isinstance(value, type)


def _is_dataclass_class(annotation: Any) -> bool:
    dataclasses = sys.modules.get("dataclasses")
    return dataclasses is not None and isinstance(annotation, type) and dataclasses.is_dataclass(annotation)


def _as_dict(value: Any) -> Dict[str, Any]:
    return sys.modules["dataclasses"].asdict(value)


def _is_date_or_time(value: Any) -> bool:
    datetime = sys.modules.get("datetime")
    return datetime is not None and isinstance(value, (datetime.date, datetime.time))


def is_model_instance(value: Any) -> bool:
    """True for pydantic model instances (without importing pydantic)."""
    pydantic = _pydantic()
    return bool(pydantic) and isinstance(value, pydantic.BaseModel)


def _dump_model(value: Any, by_alias: bool) -> Any:
    dump = getattr(value, "model_dump", None)
    if dump is not None:
        return dump(by_alias=by_alias, mode="json")
    return value.dict(by_alias=by_alias)  # pydantic v1


def jsonable(value: Any, by_alias: bool = True, where: str = "value") -> Any:
    """Plain JSON data for a value (models, dataclasses, tuples, numpy scalars...), or CoercionError."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {_key(k, where): jsonable(v, by_alias, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v, by_alias, f"{where}[{i}]") for i, v in enumerate(value)]
    if is_model_instance(value):
        return jsonable(_dump_model(value, by_alias), by_alias, where)
    if _is_dataclass_instance(value):
        return jsonable(_as_dict(value), by_alias, where)
    if _is_date_or_time(value):
        return value.isoformat()
    if hasattr(value, "tolist") and hasattr(value, "dtype"):  # numpy arrays and scalars
        return jsonable(value.tolist(), by_alias, where)
    if hasattr(value, "__fspath__"):
        return str(value)
    raise CoercionError(f"{where} is a {type(value).__name__}, which cannot be stored as JSON")


def _key(key: Any, where: str) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, (int, float, bool)) or key is None:
        return str(key)
    raise CoercionError(f"{where} has a key of type {type(key).__name__}; keys must be strings")


def coerce(value: Any, annotation: Any, name: str) -> Any:
    """Converts a parameter value to an argument of the annotated type (raw value when unannotated)."""
    if annotation is _EMPTY or annotation is object or isinstance(annotation, str) or _is_any(annotation):
        return value
    if annotation in _SIMPLE:
        return _plain_cast(value, annotation)
    if is_model_class(annotation):
        return _validate_model(annotation, value, name)
    if _is_dataclass_class(annotation) and isinstance(value, Mapping):
        return annotation(**value)
    pydantic = _pydantic(load=True)
    if pydantic is not None and hasattr(pydantic, "TypeAdapter"):
        try:
            return pydantic.TypeAdapter(annotation).validate_python(value)
        except pydantic.ValidationError as error:
            raise CoercionError(_validation_message(error)) from None
        except pydantic.PydanticSchemaGenerationError:
            pass
    return _plain_cast(value, annotation)


def _is_any(annotation: Any) -> bool:
    typing = sys.modules.get("typing")
    return typing is not None and annotation is typing.Any


def _validate_model(model: Any, value: Any, name: str) -> Any:
    """runnable's rule: a non-dict value is wrapped as ``{name: value}``; unknown keys are dropped."""
    data = dict(value) if isinstance(value, Mapping) else {name: value}
    config = getattr(model, "model_config", {}) or {}
    if config.get("extra") == "forbid":
        fields = getattr(model, "model_fields", {})
        known = set(fields) | {f.alias for f in fields.values() if getattr(f, "alias", None)}
        data = {k: v for k, v in data.items() if k in known}
    pydantic = _pydantic()
    try:
        validate = getattr(model, "model_validate", None) or model.parse_obj
        return validate(data)
    except pydantic.ValidationError as error:
        raise CoercionError(_validation_message(error)) from None


def _validation_message(error: Any) -> str:
    try:
        parts = [f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in error.errors()]
        return "; ".join(parts)
    except Exception:  # noqa: BLE001 (fall back to pydantic's own text)
        return str(error)


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def _plain_cast(value: Any, annotation: Any) -> Any:
    """Casting without pydantic: exact for simple types, raw value for generics."""
    if not isinstance(annotation, type):
        return value  # typing generics (List[int], Optional[x]...): the raw JSON value
    if isinstance(value, annotation) and not (annotation in (int, float) and isinstance(value, bool)):
        return value
    if annotation in _SIMPLE and not _castable(value, annotation):
        raise CoercionError(f"{_shown(value)} cannot be converted to {annotation.__name__}")
    if annotation is bool:
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise CoercionError(f"{value!r} is not a boolean")
    if annotation is int and isinstance(value, float) and not value.is_integer():
        raise CoercionError(f"{value!r} is not an integer")
    try:
        return annotation(value)
    except (TypeError, ValueError) as error:
        raise CoercionError(f"{_shown(value)} cannot be converted to {annotation.__name__}: {error}") from None


def _castable(value: Any, annotation: Any) -> bool:
    """Which JSON values may become which simple type (no null, no containers to scalars, no str to list)."""
    if annotation in (dict, list):
        return isinstance(value, Mapping) if annotation is dict else isinstance(value, (list, tuple))
    return isinstance(value, (str, int, float)) and not (annotation in (int, float) and isinstance(value, bool))


def _shown(value: Any) -> str:
    return "null" if value is None else f"{value!r}"


def returned_parameters(value: Any, label: str) -> Dict[str, Any]:
    """Parameters from a task's return value: dict, pydantic model, dataclass, or None (no change)."""
    if value is None:
        return {}
    if is_model_instance(value):
        data = _dump_model(value, by_alias=True)
    elif _is_dataclass_instance(value):
        data = _as_dict(value)
    elif isinstance(value, Mapping):
        data = dict(value)
    else:
        raise TypeError(
            f"{label} returned a {type(value).__name__}; a Python task must return a dict, a pydantic "
            "model or a dataclass instance (its fields become parameters), or None"
        )
    return {_key(k, "returned value"): jsonable(v, True, f"returned parameter {k!r}") for k, v in data.items()}


class _Empty:
    """Marks a parameter without annotation."""


_EMPTY: Any = _Empty
NO_ANNOTATION: Any = _Empty
