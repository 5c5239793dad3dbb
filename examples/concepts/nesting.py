"""A map of a parallel of maps: 2 x 2 x 2 = 8 stub runs (runnable's examples/concepts/nesting.py).

    python3 examples/concepts/nesting.py
"""

from typing import List

from pydantic import create_model

from runnable import Map, Parallel, Pipeline, Stub, Task


def generate_list():
    """Sets "array" to [0, 1]."""
    return create_model("DynamicModel", array=(List[int], list(range(2))))()


def main():
    stub = Stub(name="executable", terminate_with_success=True)
    stubbed_pipeline = Pipeline(steps=[stub], start_at=stub, add_terminal_nodes=True)

    inner_most_map = Map(name="inner most", branch=stubbed_pipeline, iterate_on="array", iterate_as="y", terminate_with_success=True)
    map_pipeline = Pipeline(steps=[inner_most_map], start_at=inner_most_map, add_terminal_nodes=True)

    nested_parallel = Parallel(name="nested parallel", branches={"a": map_pipeline, "b": map_pipeline}, terminate_with_success=True)
    nested_parallel_pipeline = Pipeline(steps=[nested_parallel], start_at=nested_parallel, add_terminal_nodes=True)

    list_generator = Task(name="generate list", command="examples.concepts.nesting.generate_list")
    outer_most_map = Map(name="outer most", branch=nested_parallel_pipeline, iterate_on="array", iterate_as="x", terminate_with_success=True)

    list_generator >> outer_most_map

    root_pipeline = Pipeline(steps=[list_generator, outer_most_map], start_at=list_generator, add_terminal_nodes=True)
    return root_pipeline.execute(configuration_file="examples/configs/fs-catalog-run_log.yaml")


if __name__ == "__main__":
    main()
