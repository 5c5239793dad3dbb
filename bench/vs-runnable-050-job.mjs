// `npm run bench:vs-runnable-050-job`: `python3 job.py` of a no-op `PythonJob` (runnable 0.50's 11-jobs
// form) with runnable 0.50.0 and with runnable-ts, alternating, medians and the ratio ours/0.50 (issue 22;
// target: ours <= 0.5x of 0.50.0's time). The whole process each time: Python start, the SDK import, the
// job (0.50 in its process; ours hands the job to the Node command line, whose Python worker calls the
// function), the run log checked afterwards (the job's log SUCCESS, steps empty).
// Not part of `npm test`. runnable 0.50.0 comes from the cached venv of scripts/runnable-050-venv.sh,
// whose interpreter runs both sides' Python (and ours' tasks), so neither pays for a pyenv shim.
//
//   npm run bench:vs-runnable-050-job                 # BENCH_REPEATS=9 alternating pairs after a checked one
// (also a row of `npm run bench:vs-runnable`, which imports the measure from here)
import { compareWith050 } from "./vs-runnable-050-harness.mjs";

const FUNCTIONS = `def noop():
    pass
`;

const JOB = `from bench_functions import noop
from runnable import PythonJob


def main():
    job = PythonJob(function=noop)
    job.execute()
    return job


if __name__ == "__main__":
    main()
`;

/** The job measure: its files, the script both sides run, and the check of its run log. */
export const jobBench = {
  name: "job",
  files: { "bench_functions.py": FUNCTIONS, "job.py": JOB },
  script: "job.py",
  title: "python job.py, a no-op PythonJob",
  check: (log) => {
    const steps = Object.keys(log.steps ?? {});
    return log.status === "SUCCESS" && log.job?.status === "SUCCESS" && steps.length === 0
      ? undefined
      : `run log: status ${log.status}, job ${log.job?.status}, steps ${steps.join(",")}`;
  },
};

if (import.meta.url === `file://${process.argv[1]}`) await compareWith050(jobBench);
