"""``runnable execute-job module.function [RUN_ID]`` (runnable 0.50's job entry point): builds the job and runs it.

The command line starts ``python -m runnable._job_entry module.function`` with its hand-off socket set:
the function (0.50's ``job_definition_file``, e.g. ``examples.11-jobs.python_tasks.main``) builds the job
and usually calls its ``execute()``, which hands the job back to the waiting command line; a job it only
returns is executed here.
"""

from __future__ import annotations

import importlib
import sys


def main(definition: str) -> int:
    module_name, _, function_name = definition.rpartition(".")
    if not module_name or not function_name:
        sys.stderr.write(f"error: the job definition {definition!r} is not module.function (e.g. examples.jobs.main)\n")
        return 2
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        sys.stderr.write(f"error: cannot import {module_name!r} of the job definition {definition!r}: {error}\n")
        return 2
    function = getattr(module, function_name, None)
    if not callable(function):
        sys.stderr.write(f"error: {module_name!r} has no function {function_name!r} (the job definition {definition!r})\n")
        return 2
    from . import _sdk_jobs

    _sdk_jobs._DEFINITION[0] = definition
    job = function()
    if not _sdk_jobs.executed() and isinstance(job, _sdk_jobs.BaseJob):
        job.execute()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
