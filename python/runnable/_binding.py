"""Binding parameters to a Python function's arguments by name (spec §4.2, defects §16.2 fixed)."""

from __future__ import annotations

import inspect

from ._coerce import NO_ANNOTATION, CoercionError, coerce

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: typing is imported only for annotated functions
    from typing import Any, Callable, Dict, List, Tuple


class BindingError(ValueError):
    """A parameter is missing or cannot be converted to the argument's type."""


def _annotations(func: Callable[..., Any], signature: inspect.Signature) -> Dict[str, Any]:
    """Resolved annotations; string annotations that cannot be resolved count as missing."""
    if not getattr(func, "__annotations__", None):
        return {}
    try:
        import typing  # noqa: PLC0415 (only annotated functions need it)

        return typing.get_type_hints(func)
    except Exception:  # noqa: BLE001 (forward references that do not resolve)
        resolved: Dict[str, Any] = {}
        for name, parameter in signature.parameters.items():
            if not isinstance(parameter.annotation, str):
                resolved[name] = parameter.annotation
        return resolved


def bind(func: Callable[..., Any], parameters: Dict[str, Any], label: str) -> Tuple[List[Any], Dict[str, Any]]:
    """Positional and keyword arguments for ``func`` from the parameters (by argument name)."""
    signature = inspect.signature(func)
    hints = _annotations(func, signature)
    args: List[Any] = []
    kwargs: Dict[str, Any] = {}
    used = set()
    var_keyword = None
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.VAR_POSITIONAL:
            continue
        if parameter.kind is parameter.VAR_KEYWORD:
            var_keyword = parameter
            continue
        if parameter.name in parameters:
            value = _convert(parameters[parameter.name], hints, parameter, label)
            used.add(parameter.name)
        elif parameter.default is parameter.empty:
            known = ", ".join(sorted(parameters)) or "(none)"
            raise BindingError(
                f"Parameter {parameter.name} is required for {label} but not provided "
                f"(available parameters: {known})"
            )
        elif parameter.kind is parameter.POSITIONAL_ONLY:
            value = parameter.default
        else:
            continue
        if parameter.kind is parameter.POSITIONAL_ONLY:
            args.append(value)
        else:
            kwargs[parameter.name] = value
    if var_keyword is not None:
        for name, value in parameters.items():
            if name not in used and name.isidentifier():
                kwargs[name] = _convert(value, hints, var_keyword, label, name)
    return args, kwargs


def _convert(value: Any, hints: Dict[str, Any], parameter: inspect.Parameter, label: str, name: str = "") -> Any:
    annotation = hints.get(parameter.name, parameter.annotation)
    if annotation is inspect.Parameter.empty:
        annotation = NO_ANNOTATION
    shown = name or parameter.name
    try:
        return coerce(value, annotation, shown)
    except CoercionError as error:
        raise BindingError(f"Parameter {shown} of {label} does not fit {_type_name(annotation)}: {error}") from None


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")
