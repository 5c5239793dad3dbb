"""Two Python steps: the first returns a pydantic model, the second receives its fields
(runnable's examples/python-tasks.py).

    python3 examples/python-tasks.py
"""

from runnable import Pipeline, Task


def main():
    step1 = Task(name="step1", command="examples.functions.return_parameter")
    step2 = Task(name="step2", command="examples.functions.display_parameter", terminate_with_success=True).depends_on(step1)

    pipeline = Pipeline(start_at=step1, steps=[step1, step2], add_terminal_nodes=True)
    return pipeline.execute()


if __name__ == "__main__":
    main()
