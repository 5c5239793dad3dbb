"""Three stubs in a row, linked with >> (runnable's examples/concepts/traversal.py).

Equivalent links: step_1 >> step_2 >> step_3, step_3 << step_2 << step_1, or
step_2.depends_on(step_1) and step_3.depends_on(step_2).

    python3 examples/concepts/traversal.py
"""

from runnable import Pipeline, Stub


def main():
    step_1 = Stub(name="Step 1")
    step_2 = Stub(name="Step 2")
    step_3 = Stub(name="Step 3", terminate_with_success=True)

    step_1 >> step_2 >> step_3

    pipeline = Pipeline(steps=[step_1, step_2, step_3], start_at=step_1, add_terminal_nodes=True)
    run_log = pipeline.execute()
    print(run_log.status)
    return run_log


if __name__ == "__main__":
    main()
