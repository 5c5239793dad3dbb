"""Argument binding beyond runnable (its defects §16.2 #10-11 fixed): no annotations, generics,
**kwargs, validated casting, dataclass and dict return values."""

from dataclasses import dataclass
from typing import Dict, List, Optional


@dataclass
class Summary:
    """A dataclass return value: its fields become parameters."""

    total: int
    flags: List[bool]


def produce():
    """A plain dict return value."""
    return {"numbers": ["1", "2", "3"], "weights": {"a": 1, "b": 2}, "maybe": None, "flag": "false", "extra": "kept"}


def consume(numbers: List[int], weights: Dict[str, float], maybe: Optional[int], flag: bool, raw, **rest) -> Summary:
    """Generics are validated (strings become ints), an un-annotated argument gets the raw value,
    "false" becomes False (runnable's bool("false") is True) and **rest gets what is left."""
    assert numbers == [1, 2, 3], numbers
    assert weights == {"a": 1.0, "b": 2.0} and all(isinstance(v, float) for v in weights.values()), weights
    assert maybe is None and flag is False, (maybe, flag)
    assert raw == {"nested": [1, {"deep": True}]}, raw
    assert rest["extra"] == "kept" and "numbers" not in rest, rest
    return Summary(total=sum(numbers), flags=[flag, not flag])


def fail_loudly(total: int):
    """An exception fails the step with `<type>: <message>`."""
    raise ValueError(f"total was {total}, refusing to continue")
