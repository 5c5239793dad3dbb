"""runnable's in-task API from Python (concepts/task_api_parameters, catalog_api, catalog_object)."""

from pathlib import Path

from pydantic import BaseModel

from runnable import (
    get_experiment_tracker_context,
    get_from_catalog,
    get_object,
    get_parameter,
    get_run_id,
    get_tag,
    put_in_catalog,
    put_object,
    set_parameter,
)


class EggsModel(BaseModel):
    """The "eggs" parameter."""

    ham: str


def modify_initial():
    """Reads parameters through the API and changes them with set_parameter."""
    spam = get_parameter("spam")
    eggs = get_parameter("eggs", cast_as=EggsModel)
    assert (spam, eggs.ham) == ("Hello", "Yes, please!!"), (spam, eggs)
    assert get_run_id(), "the run id is known"
    print("run", get_run_id(), "tag", repr(get_tag()))
    with get_experiment_tracker_context() as tracker:
        print("tracker context:", tracker)
    set_parameter(spam="World", eggs=EggsModel(ham="No, Thank you!!"))


def create_content():
    """Puts a file and a pickled object into the catalog through the API."""
    Path("data").mkdir(exist_ok=True)
    Path("data/hello.txt").write_text("Hello from the API!!")
    put_in_catalog("data/hello.txt")
    put_object({"numbers": [1, 2, 3]}, name="numbers")


def retrieve_content(spam: str, eggs: EggsModel):
    """Gets both back (the parameters set by set_parameter arrive as arguments)."""
    assert (spam, eggs.ham) == ("World", "No, Thank you!!"), (spam, eggs)
    Path("data/hello.txt").unlink()
    get_from_catalog("data/hello.txt")
    assert Path("data/hello.txt").read_text() == "Hello from the API!!"
    assert get_object("numbers") == {"numbers": [1, 2, 3]}
    print("all content retrieved")
