"""Stubs may carry any extra keyword arguments, e.g. the command they will run later
(runnable's examples/mocking.py).

    python3 examples/mocking.py
"""

from runnable import Pipeline, Stub


def main():
    step1 = Stub(name="step1")
    step2 = Stub(name="step2", what="is this thing").depends_on(step1)
    step3 = Stub(name="step3", terminate_with_success=True)

    step2 >> step3

    pipeline = Pipeline(start_at=step1, steps=[step1, step2, step3], add_terminal_nodes=True)
    return pipeline.execute()


if __name__ == "__main__":
    main()
