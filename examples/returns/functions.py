"""The functions of examples/returns/pipeline.yaml: runnable 0.50's returns on Python tasks."""

import argparse
from dataclasses import dataclass


@dataclass
class Settings:
    rate: float
    epochs: int


class Model:
    """Anything picklable can pass between tasks as an object."""

    def __init__(self, weights):
        self.weights = weights

    def predict(self, x):
        return sum(w * x for w in self.weights)


def train(settings: Settings, rows: int):
    """Parameters are cast to the annotations (a dataclass here); three values go back by name."""
    model = Model([settings.rate * i for i in range(settings.epochs)])
    return rows * 2, 0.9, model


def evaluate(model: Model, doubled: int, args: argparse.Namespace):
    """`model` is the object train returned; `args` holds the parameters no other argument takes."""
    assert isinstance(model, Model)
    return model.predict(doubled), sorted(vars(args))


def square(chunk: int):
    return chunk * chunk
