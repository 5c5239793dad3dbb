"""runnable's concepts/catalog: files put into the catalog by one step and fetched by a later one."""

from pathlib import Path


def create_content_in_data_folder():
    """Writes data/hello.txt (the step's catalog config puts it)."""
    Path("data").mkdir(parents=True, exist_ok=True)
    (Path("data") / "hello.txt").write_text("Hello from data folder!!")


def create_content_in_another_folder():
    """Writes another/world.txt (the step's catalog config puts it)."""
    Path("another").mkdir(parents=True, exist_ok=True)
    (Path("another") / "world.txt").write_text("Hello from another folder!!")


def retrieve_content_from_both():
    """Reads both files back; "another" was deleted in between and came back from the catalog."""
    print((Path("data") / "hello.txt").read_text())
    print((Path("another") / "world.txt").read_text())
