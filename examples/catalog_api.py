"""The catalog from Python code: put_in_catalog and get_from_catalog (runnable's examples/catalog_api.py).

    python3 examples/catalog_api.py
"""

from pathlib import Path

from runnable import Pipeline, Task, get_from_catalog, put_in_catalog


def create_content():
    """Writes data/hello.txt and puts it into the catalog."""
    Path("data").mkdir(parents=True, exist_ok=True)
    (Path("data") / "hello.txt").write_text("Hello from runnable!!")
    put_in_catalog("data/hello.txt")


def retrieve_content():
    """Gets data/hello.txt from the catalog and reads it."""
    get_from_catalog("data/hello.txt")
    print((Path("data") / "hello.txt").read_text())


def main():
    create = Task(name="create_content", command="examples.catalog_api.create_content")
    retrieve = Task(name="retrieve_content", command="examples.catalog_api.retrieve_content", terminate_with_success=True)

    create >> retrieve

    pipeline = Pipeline(steps=[create, retrieve], start_at=create, add_terminal_nodes=True)
    run_log = pipeline.execute(configuration_file="examples/configs/fs-catalog.yaml")
    print(run_log.status)
    return run_log


if __name__ == "__main__":
    main()
