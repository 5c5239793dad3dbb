"""runnable's examples/functions.py: a pydantic model returned, then bound by argument name."""

from pydantic import BaseModel


class InnerModel(BaseModel):
    """A group of related parameters."""

    foo: int
    bar: str


class NestedModel(BaseModel):
    """What the first step returns: its fields become root-level parameters."""

    x: int
    y: InnerModel


def return_parameter() -> NestedModel:
    """Returns x and y; the run log then holds x: 1 and y: {foo: 10, bar: "hello world"}."""
    return NestedModel(x=1, y=InnerModel(foo=10, bar="hello world"))


def display_parameter(x: int, y: InnerModel):
    """Receives x as an int and y validated into an InnerModel."""
    assert isinstance(y, InnerModel), type(y)
    assert (x, y.foo, y.bar) == (1, 10, "hello world")
    print(x)
    print(y)
