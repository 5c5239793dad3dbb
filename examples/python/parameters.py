"""runnable's examples/parameters.py: parameters displayed, changed by a return value, displayed again."""

from pydantic import BaseModel


class InnerModel(BaseModel):
    """The "inner" parameter."""

    x: int
    y: str


class NestedModel(BaseModel):
    """The whole parameter space."""

    simple: int
    inner: InnerModel


def display(simple: int, inner: InnerModel):
    """Shows the parameters; inner arrives as a pydantic model."""
    print(simple)
    print(inner)


def return_parameters(simple: int, inner: InnerModel) -> NestedModel:
    """Changes both parameters by returning a model."""
    simple = 2
    inner.x = 30
    inner.y = "Hello Universe!!"
    return NestedModel(simple=simple, inner=inner)
