"""Functions used by python-tasks.py (runnable's examples/functions.py)."""

import logging

from pydantic import BaseModel

logger = logging.getLogger("application")
logger.setLevel(logging.DEBUG)


class InnerModel(BaseModel):
    """A group of related parameters."""

    foo: int
    bar: str


class Parameter(BaseModel):
    """The parameters the first step returns (its fields become parameters x and y)."""

    x: int
    y: InnerModel


def return_parameter() -> Parameter:
    """Returns the parameters x and y for the following steps."""
    return Parameter(x=1, y=InnerModel(foo=10, bar="hello world"))


def display_parameter(x: int, y: InnerModel):
    """Receives x and y by name; y arrives as an InnerModel because of its annotation."""
    print(x)
    print(y)
    logger.info(f"I got a parameter: {x}")
    logger.info(f"I got another parameter: {y}")
