// `npm run bench:vs-runnable-050-sdk`: `python3 pipeline.py` of a 3-step runnable 0.50-style pipeline (three
// PythonTasks, `Pipeline(steps=[...])`) with runnable 0.50.0 and with runnable-ts, alternating, medians and
// the ratio ours/0.50 (issue 18; target: ours <= 0.5x of 0.50.0's time). The whole process each time:
// Python start, the SDK import, the run (0.50 in its process; ours hands the pipeline to the Node
// command line, whose warm Python worker runs the three functions), the run log checked afterwards.
// Not part of `npm test`. runnable 0.50.0 comes from the cached venv of scripts/runnable-050-venv.sh,
// whose interpreter runs both sides' Python (and ours' tasks), so neither pays for a pyenv shim.
//
//   npm run bench:vs-runnable-050-sdk                 # BENCH_REPEATS=9 alternating pairs after a checked one
// (also a row of `npm run bench:vs-runnable`, which imports the measure from here)
import { compareWith050 } from "./vs-runnable-050-harness.mjs";

const FUNCTIONS = `def one():
    print("one")


def two():
    print("two")


def three():
    print("three")
`;

const PIPELINE = `from bench_functions import one, three, two
from runnable import Pipeline, PythonTask


def main():
    pipeline = Pipeline(
        steps=[
            PythonTask(name="one", function=one),
            PythonTask(name="two", function=two),
            PythonTask(name="three", function=three),
        ]
    )
    pipeline.execute()
    return pipeline


if __name__ == "__main__":
    main()
`;

/** The sdk measure: its files, the script both sides run, and the check of its run log. */
export const sdkBench = {
  name: "sdk",
  files: { "bench_functions.py": FUNCTIONS, "pipeline.py": PIPELINE },
  script: "pipeline.py",
  title: "python pipeline.py, 3 PythonTasks",
  check: (log) => {
    const steps = Object.keys(log.steps ?? {});
    return log.status === "SUCCESS" && steps.join(",") === "one,two,three,success" ? undefined : `run log: status ${log.status}, steps ${steps.join(",")}`;
  },
};

if (import.meta.url === `file://${process.argv[1]}`) await compareWith050(sdkBench);
