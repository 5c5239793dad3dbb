"""Binding parameters to a Python function's arguments by name (spec §4.2, defects §16.2 fixed).

As runnable 0.50 binds them: an argument annotated ``argparse.Namespace`` receives the parameters no
other argument took (unless the function has ``**kwargs``, which receives them instead), and an object
parameter (``pickled``) is loaded only for the functions that take it, and passed as it is, uncast.
"""

from __future__ import annotations

import inspect

from ._coerce import NO_ANNOTATION, CoercionError, coerce

TYPE_CHECKING = False
if TYPE_CHECKING:  # names for annotations only: typing is imported only for annotated functions
    from typing import Any, Callable, Dict, List, Optional, Tuple


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


def _is_namespace(annotation: Any) -> bool:
    """True for ``argparse.Namespace`` (without importing argparse)."""
    return getattr(annotation, "__module__", None) == "argparse" and getattr(annotation, "__name__", None) == "Namespace"


def bind(
    func: Callable[..., Any],
    parameters: Dict[str, Any],
    label: str,
    objects: Optional[Dict[str, Callable[[], Any]]] = None,
) -> Tuple[List[Any], Dict[str, Any]]:
    """Positional and keyword arguments for ``func`` from the parameters (by argument name).

    ``objects`` maps the names of object parameters to their loaders (called only when bound).
    """
    objects = objects or {}
    signature = inspect.signature(func)
    hints = _annotations(func, signature)
    args: List[Any] = []
    kwargs: Dict[str, Any] = {}
    used = set()
    var_keyword = None
    namespace = None
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.VAR_POSITIONAL:
            continue
        if parameter.kind is parameter.VAR_KEYWORD:
            var_keyword = parameter
            continue
        if _is_namespace(hints.get(parameter.name, parameter.annotation)):
            namespace = parameter
            continue
        if parameter.name in objects:
            value = objects[parameter.name]()
            used.add(parameter.name)
        elif parameter.name in parameters:
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
    rest = {name: value for name, value in parameters.items() if name not in used}
    if var_keyword is not None:
        for name, value in rest.items():
            if name.isidentifier():
                kwargs[name] = objects[name]() if name in objects else _convert(value, hints, var_keyword, label, name)
    elif namespace is not None:
        kwargs[namespace.name] = _namespace(rest, objects)
    return args, kwargs


def _namespace(rest: Dict[str, Any], objects: Dict[str, Callable[[], Any]]) -> Any:
    """An ``argparse.Namespace`` of the parameters no argument took (objects loaded)."""
    import argparse  # noqa: PLC0415 (only functions asking for a Namespace need it)

    namespace = argparse.Namespace()
    for name, value in rest.items():
        setattr(namespace, name, objects[name]() if name in objects else value)
    return namespace


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
