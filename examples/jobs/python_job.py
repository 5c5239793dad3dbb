"""A PythonJob (runnable 0.50): one function run as a tracked job (attempts, code identity, catalog).

    python examples/jobs/python_job.py
"""

from examples.functions import return_parameter
from runnable import PythonJob


def main():
    job = PythonJob(function=return_parameter)
    job.execute()
    return job


if __name__ == "__main__":
    main()
