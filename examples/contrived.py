"""A skeleton of stubs linked four ways: next=, depends_on, >> and terminate_with_success
(runnable's examples/contrived.py).

    python3 examples/contrived.py
"""

from runnable import Pipeline, Stub


def main():
    acquire_data = Stub(name="Acquire Data", next="Prepare Data")
    prepare_data = Stub(name="Prepare Data")
    extract_features = Stub(name="Extract Features").depends_on(prepare_data)
    modelling = Stub(name="Model", terminate_with_success=True)

    extract_features >> modelling

    pipeline = Pipeline(
        steps=[acquire_data, prepare_data, extract_features, modelling],
        start_at=acquire_data,
        add_terminal_nodes=True,
    )
    run_log = pipeline.execute()
    print(run_log.status)
    return run_log


if __name__ == "__main__":
    main()
