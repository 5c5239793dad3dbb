"""Parameters through get_parameter / set_parameter (runnable's examples/concepts/task_api_parameters.py).

    python3 examples/concepts/task_api_parameters.py
"""

from pydantic import BaseModel

from runnable import Pipeline, Task, get_parameter, set_parameter


class EggsModel(BaseModel):
    """The "eggs" parameter."""

    ham: str


def modify_initial():
    """Reads the initial parameters and sets new values for both."""
    spam = get_parameter("spam")
    eggs = get_parameter("eggs", cast_as=EggsModel)
    print(spam)
    print(eggs)
    set_parameter(spam="World", eggs=EggsModel(ham="No, Thank you!!"))


def consume():
    """Reads eggs as set by the previous step and sets it again."""
    eggs = get_parameter("eggs", cast_as=EggsModel)
    print(eggs)
    set_parameter(eggs=EggsModel(ham="May be one more!!"))


def main():
    modify = Task(name="Modify", command="examples.concepts.task_api_parameters.modify_initial")
    consume = Task(name="Consume", command="examples.concepts.task_api_parameters.consume", terminate_with_success=True)

    modify >> consume

    pipeline = Pipeline(steps=[modify, consume], start_at=modify, add_terminal_nodes=True)
    return pipeline.execute(parameters_file="examples/concepts/parameters.yaml")


if __name__ == "__main__":
    main()
