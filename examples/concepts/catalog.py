"""Files put into the catalog by two steps and fetched back with "**/*" after one was deleted
(runnable's examples/concepts/catalog.py).

    python3 examples/concepts/catalog.py
"""

import shutil
from pathlib import Path


def create_content_in_data_folder():
    """Writes data/hello.txt (the step's catalog puts it)."""
    Path("data").mkdir(parents=True, exist_ok=True)
    (Path("data") / "hello.txt").write_text("Hello from data folder!!")


def create_content_in_another_folder():
    """Writes another/world.txt (the step's catalog puts it)."""
    Path("another").mkdir(parents=True, exist_ok=True)
    (Path("another") / "world.txt").write_text("Hello from another folder!!")


def retrieve_content_from_both():
    """Reads both files; "another" was deleted in between and came back from the catalog."""
    print((Path("data") / "hello.txt").read_text())
    print((Path("another") / "world.txt").read_text())
    # the files are in the catalog: leave the working directory as the run found it
    shutil.rmtree("data")
    shutil.rmtree("another")


def main():
    from runnable import Catalog, Pipeline, Task

    data_create = Task(
        name="create_content_in_data_folder",
        command="examples.concepts.catalog.create_content_in_data_folder",
        catalog=Catalog(put=["data/hello.txt"]),
    )
    another_create = Task(
        name="create_content_in_another_folder",
        command="examples.concepts.catalog.create_content_in_another_folder",
        catalog=Catalog(put=["another/world.txt"]),
    )
    delete_another_folder = Task(name="delete_another_folder", command="rm -rf another/", command_type="shell")
    retrieve = Task(
        name="retrieve_content_from_both",
        command="examples.concepts.catalog.retrieve_content_from_both",
        catalog=Catalog(get=["**/*"]),
        terminate_with_success=True,
    )

    data_create >> another_create >> delete_another_folder >> retrieve

    pipeline = Pipeline(steps=[data_create, another_create, retrieve, delete_another_folder], start_at=data_create, add_terminal_nodes=True)
    return pipeline.execute(configuration_file="examples/configs/fs-catalog.yaml")


if __name__ == "__main__":
    main()
