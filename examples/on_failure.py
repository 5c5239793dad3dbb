"""A failing step whose on_failure goes to "step 3": the run still succeeds
(runnable's examples/on_failure.py).

    step 1 (FAIL) >> step 3 >> success

    python3 examples/on_failure.py
"""

from runnable import Pipeline, Stub, Task


def main():
    step_1 = Task(name="step 1", command="exit 1", command_type="shell")
    step_2 = Stub(name="step 2")
    step_3 = Stub(name="step 3", terminate_with_success=True)

    step_1.on_failure = step_3.name

    step_1 >> step_2 >> step_3

    pipeline = Pipeline(steps=[step_1, step_2, step_3], start_at=step_1, add_terminal_nodes=True)
    return pipeline.execute()


if __name__ == "__main__":
    main()
