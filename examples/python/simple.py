"""runnable's concepts/simple: one Python function as a task."""


def simple_function():
    """Does nothing interesting: prints a line and returns nothing (no parameter changes)."""
    print("Hello from a Python function run by runnable-ts!")
