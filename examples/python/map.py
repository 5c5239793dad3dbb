"""runnable's concepts/map: a list parameter fanned out to one branch per item."""

from typing import List

from pydantic import create_model


def chunk_files():
    """Sets "chunks" to the start index of each batch and "stride" to the batch size (a dynamic model)."""
    return create_model("DynamicModel", chunks=(List[int], list(range(0, 50, 10))), stride=(int, 10))()


def process_chunk(stride: int, start_index: int):
    """Runs once per chunk; start_index is the map item (iterate_as), stride a normal parameter."""
    assert isinstance(start_index, int) and isinstance(stride, int)
    print("stride", stride, "start_index", start_index)
    for index in range(start_index, start_index + stride):
        pass
