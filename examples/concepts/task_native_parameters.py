"""Parameters by argument name; results returned as (dynamic) pydantic models
(runnable's examples/concepts/task_native_parameters.py).

    python3 examples/concepts/task_native_parameters.py
"""

from pydantic import BaseModel, create_model


class EggsModel(BaseModel):
    """The "eggs" parameter."""

    ham: str


class EverythingModel(BaseModel):
    """Both parameters."""

    spam: str
    eggs: EggsModel


def modify_initial(spam: str, eggs: EggsModel):
    """Reads the initial parameters and returns new values for both."""
    print(spam)
    print(eggs)
    return EverythingModel(spam="World", eggs=EggsModel(ham="No, Thank you!!"))


def consume(eggs: EggsModel):
    """Reads only eggs and returns a new value for it alone, through a dynamic model."""
    print(eggs)
    return create_model("DynamicModel", eggs=(EggsModel, EggsModel(ham="May be one more!!")))()


def main():
    from runnable import Pipeline, Task

    modify = Task(name="Modify", command="examples.concepts.task_native_parameters.modify_initial")
    consume = Task(name="Consume", command="examples.concepts.task_native_parameters.consume", terminate_with_success=True)

    modify >> consume

    pipeline = Pipeline(steps=[modify, consume], start_at=modify, add_terminal_nodes=True)
    return pipeline.execute(parameters_file="examples/concepts/parameters.yaml")


if __name__ == "__main__":
    main()
