"""One Python function as a pipeline (runnable's examples/concepts/simple.py).

    python3 examples/concepts/simple.py          # or: runnable execute -f examples/concepts/simple.py
"""

from runnable import Pipeline, Task


def simple_function():
    """Prints a greeting; returns nothing, so no parameter changes."""
    print("Hello World!")


def main():
    simple_task = Task(name="simple", command="examples.concepts.simple.simple_function", terminate_with_success=True)
    pipeline = Pipeline(steps=[simple_task], start_at=simple_task, add_terminal_nodes=True)
    return pipeline.execute()


if __name__ == "__main__":
    main()
