"""Where SDK objects were written, and the problems found in them (reported by the engine with file:line:col)."""

from __future__ import annotations

import os
import sys
TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it costs a script's start-up
    from typing import Any, Dict, Iterable, List, Optional, Tuple

    Where = Tuple[str, int, int]
    """A source position: file (as the user's code names it), line and column (1-based)."""

_HERE = os.path.dirname(os.path.abspath(__file__))


def caller() -> Where:
    """The position of the first frame outside this package (the user's line creating or linking a step)."""
    frame: Any = sys._getframe(1)
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == _HERE:
        frame = frame.f_back
    if frame is None:
        return ("", 0, 0)
    return (frame.f_code.co_filename, frame.f_lineno, _column(frame))


def _column(frame: Any) -> int:
    """The 1-based column of the frame's current expression (Python 3.11+), else 1."""
    positions = getattr(frame.f_code, "co_positions", None)
    if positions is None:
        return 1
    try:
        for index, position in enumerate(positions()):
            if index == frame.f_lasti // 2:
                return (position[2] or 0) + 1
    except Exception:  # noqa: BLE001 (positions are only a nicety)
        pass
    return 1


class Problem:
    """One problem: a message, the position in the user's code, and the path of the value in the dag."""

    __slots__ = ("message", "where", "path")

    def __init__(self, message: str, where: Where, path: Iterable[Any] = ()) -> None:
        self.message = message
        self.where = where
        self.path = list(path)


def unknown_arguments(kind: str, given: Dict[str, Any], known: Iterable[str], where: Where) -> List[Problem]:
    """A problem per keyword argument that ``kind`` does not take, with the nearest known name."""
    if not given:
        return []
    import difflib  # only when there is a problem to word

    names = sorted(known)
    problems = []
    for key in given:
        close = difflib.get_close_matches(key, names, n=1)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        problems.append(Problem(f'{kind}() got an unknown argument "{key}" (it takes: {", ".join(names)}).{hint}', where, [key]))
    return problems


def describe(value: Any) -> str:
    """A short description of a value for messages."""
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}"


def string_list(value: Any) -> Optional[List[str]]:
    """The value as a list of strings, or None when it is not one."""
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None
