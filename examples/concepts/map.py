"""A map step running a branch for every start index in the "chunks" parameter
(runnable's examples/concepts/map.py). The branch's function receives the item as start_index.

    python3 examples/concepts/map.py
"""

from typing import List

from pydantic import create_model


def chunk_files():
    """Sets "chunks" (the start index of each batch) and "stride" (the batch size)."""
    return create_model("DynamicModel", chunks=(List[int], list(range(0, 50, 10))), stride=(int, 10))()


def process_chunk(stride: int, start_index: int):
    """Processes the files from start_index to start_index + stride."""
    print("stride", stride, type(stride))
    print("start_index", start_index, type(start_index))


def main():
    from runnable import Map, Pipeline, Task

    execute = Task(name="execute", command="examples.concepts.map.process_chunk", terminate_with_success=True)
    execute_branch = Pipeline(steps=[execute], start_at=execute, add_terminal_nodes=True)

    generate = Task(name="chunk files", command="examples.concepts.map.chunk_files")
    iterate_and_execute = Map(
        name="iterate and execute",
        branch=execute_branch,
        iterate_on="chunks",
        iterate_as="start_index",
        terminate_with_success=True,
    )

    generate >> iterate_and_execute

    pipeline = Pipeline(steps=[generate, iterate_and_execute], start_at=generate, add_terminal_nodes=True)
    return pipeline.execute(configuration_file="examples/configs/fs-catalog-run_log.yaml")


if __name__ == "__main__":
    main()
