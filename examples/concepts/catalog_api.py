"""concepts/catalog.py with the catalog API instead of catalog settings
(runnable's examples/concepts/catalog_api.py).

    python3 examples/concepts/catalog_api.py
"""

import shutil
from pathlib import Path

from runnable import get_from_catalog, put_in_catalog


def create_content_in_data_folder():
    """Writes data/hello.txt and puts it into the catalog."""
    Path("data").mkdir(parents=True, exist_ok=True)
    (Path("data") / "hello.txt").write_text("Hello from data folder!!")
    put_in_catalog("data/hello.txt")


def create_content_in_another_folder():
    """Writes another/world.txt and puts it into the catalog."""
    Path("another").mkdir(parents=True, exist_ok=True)
    (Path("another") / "world.txt").write_text("Hello from another folder!!")
    put_in_catalog("another/world.txt")


def retrieve_content_from_both():
    """Gets everything from the catalog and reads both files."""
    get_from_catalog("**/*")
    print((Path("data") / "hello.txt").read_text())
    print((Path("another") / "world.txt").read_text())
    # the files are in the catalog: leave the working directory as the run found it
    shutil.rmtree("data")
    shutil.rmtree("another")


def main():
    from runnable import Pipeline, Task

    data_create = Task(name="create_content_in_data_folder", command="examples.concepts.catalog_api.create_content_in_data_folder")
    another_create = Task(name="create_content_in_another_folder", command="examples.concepts.catalog_api.create_content_in_another_folder")
    delete_another_folder = Task(name="delete_another_folder", command="rm -rf another/", command_type="shell")
    retrieve = Task(name="retrieve_content_from_both", command="examples.concepts.catalog_api.retrieve_content_from_both", terminate_with_success=True)

    data_create >> another_create >> delete_another_folder >> retrieve

    pipeline = Pipeline(steps=[data_create, another_create, retrieve, delete_another_folder], start_at=data_create, add_terminal_nodes=True)
    return pipeline.execute(configuration_file="examples/configs/fs-catalog.yaml")


if __name__ == "__main__":
    main()
