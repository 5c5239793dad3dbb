"""Parameters by argument name, returned as a pydantic model (runnable's examples/parameters.py).

Initial parameters (examples/parameters_initial.yaml): simple: 1, inner: {x: 10, y: "hello"}.

    python3 examples/parameters.py
"""

from pydantic import BaseModel


class InnerModel(BaseModel):
    """The "inner" parameter."""

    x: int
    y: str


class NestedModel(BaseModel):
    """All the parameters of the pipeline."""

    simple: int
    inner: InnerModel


def display(simple: int, inner: InnerModel):
    """Receives both parameters by name; inner arrives as an InnerModel."""
    print(simple)
    print(inner)


def return_parameters(simple: int, inner: InnerModel) -> NestedModel:
    """Changes both parameters by returning a model."""
    simple = 2
    inner.x = 30
    inner.y = "world!!"
    return NestedModel(simple=simple, inner=inner)


def main():
    from runnable import Pipeline, Task

    display = Task(name="display", command="examples.parameters.display")
    return_parameters = Task(name="return_parameters", command="examples.parameters.return_parameters", terminate_with_success=True)

    display >> return_parameters

    pipeline = Pipeline(start_at=display, steps=[display, return_parameters], add_terminal_nodes=True)
    run_log = pipeline.execute(parameters_file="examples/parameters_initial.yaml")

    params = run_log.parameters
    assert params["simple"] == 2
    assert params["inner"] == {"x": 30, "y": "world!!"}
    return run_log


if __name__ == "__main__":
    main()
