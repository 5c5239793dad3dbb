"""Parameters through runnable_PRM_* environment variables (JSON text)
(runnable's examples/concepts/task_env_parameters.py; its tasks pointed at task_api_parameters and its
last value was JSON-encoded twice, so here the tasks are this module's and eggs is encoded once).

    python3 examples/concepts/task_env_parameters.py
"""

import json
import os

from pydantic import BaseModel

from runnable import Pipeline, Task


class EggsModel(BaseModel):
    """The "eggs" parameter."""

    ham: str


def modify_initial():
    """Reads the initial parameters from the environment and sets new values for both."""
    spam = json.loads(os.environ["runnable_PRM_spam"])
    eggs = EggsModel.model_validate_json(os.environ["runnable_PRM_eggs"])
    print(spam)
    print(eggs)
    os.environ["runnable_PRM_spam"] = "World"  # not JSON: kept as the string World
    os.environ["runnable_PRM_eggs"] = json.dumps(EggsModel(ham="No, Thank you!!").model_dump(by_alias=True))


def consume():
    """Reads eggs as set by the previous step and sets it again."""
    eggs = EggsModel.model_validate_json(os.environ["runnable_PRM_eggs"])
    print(eggs)
    os.environ["runnable_PRM_eggs"] = EggsModel(ham="May be one more!!").model_dump_json(by_alias=True)


def main():
    modify = Task(name="Modify", command="examples.concepts.task_env_parameters.modify_initial")
    consume = Task(name="Consume", command="examples.concepts.task_env_parameters.consume", terminate_with_success=True)

    modify >> consume

    pipeline = Pipeline(steps=[modify, consume], start_at=modify, add_terminal_nodes=True)
    return pipeline.execute(parameters_file="examples/concepts/parameters.yaml")


if __name__ == "__main__":
    main()
