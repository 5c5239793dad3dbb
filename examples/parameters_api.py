"""Parameters through the API: get_parameter (with cast_as) and set_parameter
(runnable's examples/parameters_api.py; its second task pointed at examples.parameters, which has no
set_and_get, so here it points at this module).

    python3 examples/parameters_api.py
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
    """Receives both parameters by name."""
    print(simple)
    print(inner)


def set_and_get():
    """Reads every parameter as one model, changes "inner" and sets it again."""
    from runnable import get_parameter, set_parameter

    all_parameters = get_parameter(cast_as=NestedModel)
    print(all_parameters)

    inner = get_parameter(key="inner", cast_as=InnerModel)
    inner.x = 100
    inner.y = "world"
    set_parameter(inner=inner)


def main():
    from runnable import Pipeline, Task

    display = Task(name="display", command="examples.parameters_api.display")
    set_and_get = Task(name="set_and_get", command="examples.parameters_api.set_and_get", terminate_with_success=True)

    display >> set_and_get

    pipeline = Pipeline(start_at=display, steps=[display, set_and_get], add_terminal_nodes=True)
    return pipeline.execute(parameters_file="examples/parameters_initial.yaml")


if __name__ == "__main__":
    main()
