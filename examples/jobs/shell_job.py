"""A ShellJob (runnable 0.50): one command run as a tracked job, its output file put in the catalog.

    python examples/jobs/shell_job.py
    runnable execute-job examples.jobs.shell_job.main      # the same, from the command line

With RUNNABLE_CONFIGURATION_FILE=examples/configs/local-container-job.yaml it runs in a container.
"""

from runnable import Catalog, ShellJob


def main():
    job = ShellJob(
        command="mkdir -p data && echo \"written by a job\" > data/job-output.txt",
        catalog=Catalog(put=["data/job-output.txt"]),
    )
    job.execute()
    return job


if __name__ == "__main__":
    main()
