"""Files passed between shell steps through the catalog (runnable's examples/catalog.py).

    python3 examples/catalog.py
"""

from runnable import Catalog, Pipeline, Stub, Task


def main():
    set_up = Task(name="Setup", command="mkdir -p data", command_type="shell")
    create = Task(
        name="Create Content",
        command='echo "Hello from runnable" >> data/hello.txt',
        command_type="shell",
        catalog=Catalog(put=["data/hello.txt"]),
    )
    # a stub: flip it to a Task to really delete the folder before it is fetched again
    first_clean = Stub(name="Clean up to get again", command="rm -rf data", command_type="shell")
    retrieve = Task(name="Retrieve Content", command="cat data/hello.txt", command_type="shell", catalog=Catalog(get=["data/hello.txt"]))
    clean_up = Stub(name="Clean up", command="rm -rf data", command_type="shell", terminate_with_success=True)

    set_up >> create >> first_clean >> retrieve >> clean_up

    pipeline = Pipeline(steps=[set_up, create, first_clean, retrieve, clean_up], start_at=set_up, add_terminal_nodes=True)
    return pipeline.execute(configuration_file="examples/configs/fs-catalog.yaml")


if __name__ == "__main__":
    main()
