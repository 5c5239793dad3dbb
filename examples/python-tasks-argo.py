"""python-tasks.py with the argo executor: Pipeline.execute() only writes runnable-pipeline.yaml,
to be rendered with `runnable execute -f runnable-pipeline.yaml -c examples/configs/argo-config.yaml`
(runnable's examples/python-tasks-argo.py).

    python3 examples/python-tasks-argo.py
"""

from runnable import Pipeline, Task


def main():
    step1 = Task(name="step1", command="examples.functions.return_parameter")
    step2 = Task(name="step2", command="examples.functions.display_parameter", terminate_with_success=True).depends_on(step1)

    pipeline = Pipeline(start_at=step1, steps=[step1, step2], add_terminal_nodes=True)
    return pipeline.execute(configuration_file="examples/configs/argo-config.yaml")


if __name__ == "__main__":
    main()
