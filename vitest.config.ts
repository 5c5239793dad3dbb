import { relative } from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The slowest test files (as measured by a full run on 2 cores), started first so that the two forks finish
 * together instead of one waiting for a long file started last. Without vitest's cache (a clean
 * clone, CI) files would otherwise start largest first; with it, files not listed follow by their
 * last duration.
 */
const SLOW_FIRST = [
  // The consumer tests (issue 23): fresh projects installing the packed package and the wheel.
  "tests/consumer-npm.test.ts",
  "tests/consumer-python.test.ts",
  "tests/container-argo.test.ts",
  "tests/python-sdk.test.ts",
  "tests/argo-process.test.ts",
  "tests/crash.test.ts",
  "tests/local-container.test.ts",
  "tests/python-sdk-examples.test.ts",
  "tests/stores-cli.test.ts",
  "tests/stores-s3.test.ts",
  "tests/python.test.ts",
  "tests/stores-remote.test.ts",
  "tests/cli.test.ts",
  "tests/hardening.test.ts",
  "tests/bad-input-classes.test.ts",
  "tests/tracking.test.ts",
  "tests/cli-runnable-commands.test.ts",
];

/** Orders test files: the known slow ones first (in the order above), then vitest's own order. */
class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification): number => {
      const index = SLOW_FIRST.indexOf(relative(spec.project.config.root, spec.moduleId));
      return index < 0 ? SLOW_FIRST.length : index;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    sequence: { sequencer: SlowFirstSequencer },
  },
});
