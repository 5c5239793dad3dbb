"""A file put into the catalog by a shell step (runnable's examples/catalog_simple.py).

    python3 examples/catalog_simple.py
"""

from runnable import Catalog, Pipeline, Task


def main():
    set_up = Task(name="Setup", command="mkdir -p data", command_type="shell")
    create = Task(
        name="Create Content",
        command='echo "Hello from runnable" >> data/hello.txt',
        command_type="shell",
        catalog=Catalog(put=["data/hello.txt"]),
        terminate_with_success=True,
    )

    set_up >> create

    pipeline = Pipeline(steps=[set_up, create], start_at=set_up, add_terminal_nodes=True)
    return pipeline.execute(configuration_file="examples/configs/fs-catalog.yaml")


if __name__ == "__main__":
    main()
