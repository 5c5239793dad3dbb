"""A pickled object passed between steps with put_object / get_object
(runnable's examples/concepts/catalog_object.py).

    python3 examples/concepts/catalog_object.py
"""

from pydantic import BaseModel

from runnable import get_object, put_object


class EggsModel(BaseModel):
    """Part of the object."""

    ham: str


class EverythingModel(BaseModel):
    """The object passed on."""

    spam: str
    eggs: EggsModel


def put_data_object():
    """Stores the object in the catalog (as everything_model.pickle)."""
    put_object(EverythingModel(spam="Hello", eggs=EggsModel(ham="Yes, please!!")), name="everything_model")


def retrieve_object():
    """Gets the object back and checks it."""
    data_model = get_object("everything_model")
    assert data_model == EverythingModel(spam="Hello", eggs=EggsModel(ham="Yes, please!!"))
    print(data_model)


def main():
    from runnable import Pipeline, Task

    object_put = Task(name="create_content_in_data_folder", command="examples.concepts.catalog_object.put_data_object")
    object_get = Task(name="retrieve_content_from_both", command="examples.concepts.catalog_object.retrieve_object", terminate_with_success=True)

    object_put >> object_get

    pipeline = Pipeline(steps=[object_put, object_get], start_at=object_put, add_terminal_nodes=True)
    return pipeline.execute(configuration_file="examples/configs/fs-catalog.yaml")


if __name__ == "__main__":
    main()
