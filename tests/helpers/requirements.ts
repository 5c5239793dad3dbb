import { describe, it } from "vitest";

/**
 * Suites that need a server or a tool (PostgreSQL, an S3 server, MLflow, podman, Chromium, Python,
 * notebooks, the built CLI) skip where it is missing — except under CI (`CI=true`, set by `.ci/run`),
 * where a missing server means the CI lost it, so the suite fails instead of passing green.
 */

/** True under CI: a missing server or tool fails its suite instead of skipping it. */
export const IN_CI = /^(true|1)$/i.test(process.env["CI"] ?? "");

/** What a suite needs: its name and how `scripts/test-all.sh` provides it. */
export interface Requirement {
  name: string;
  provider: string;
}

/** Everything a suite may need, with how `scripts/test-all.sh` provides it. */
export const NEEDS = {
  postgres: { name: "a PostgreSQL server", provider: "scripts/test-all.sh starts one with `scripts/postgres-server.sh start`" },
  s3: { name: "an S3 server (moto)", provider: "scripts/test-all.sh starts one with `scripts/s3-server.sh start`" },
  mlflow: { name: "an MLflow server", provider: "scripts/test-all.sh starts one with `scripts/mlflow-server.sh start`" },
  podman: { name: "podman", provider: "scripts/test-all.sh installs and configures it with `scripts/setup-podman.sh`" },
  chromium: { name: "Chromium", provider: "scripts/test-all.sh installs it with `scripts/setup-browser.sh`" },
  python: { name: "python3", provider: "scripts/test-all.sh installs python3 (apt) when it is missing" },
  pydantic: { name: "pydantic", provider: "scripts/test-all.sh installs it for python3 (pip)" },
  notebooks: { name: "nbclient and ipykernel", provider: "scripts/test-all.sh installs python3-nbclient and python3-ipykernel (apt)" },
  cli: { name: "the built CLI (bin/runnable.js)", provider: "`npm test` (and so scripts/test-all.sh) builds it with `npm run build`" },
} as const satisfies Record<string, Requirement>;

/** The message of a suite whose requirement is missing under CI. */
export function missingMessage(need: Requirement, problem: string): string {
  return `${need.name} is missing (${problem}); under CI this fails instead of skipping: ${need.provider} — see its output for why it did not`;
}

type Body = () => void;
type TestBody = () => unknown;

/**
 * A `describe` that needs `need`: runs as usual when `problem` is undefined; otherwise skips, saying
 * why, or — under CI — is one failing test naming what is missing and how test-all.sh provides it.
 */
export function describeNeeding(need: Requirement, problem: string | undefined | false): (title: string, body: Body) => void {
  return (title, body) => {
    if (!problem) describe(title, body);
    else if (IN_CI) describe(title, () => it(`needs ${need.name}`, () => failMissing(need, problem)));
    else describe.skip(`${title} (skipped: ${problem})`, body);
  };
}

/** An `it` that needs `need` (see {@link describeNeeding}). */
export function itNeeding(need: Requirement, problem: string | undefined | false): (title: string, body: TestBody, timeout?: number) => void {
  return (title, body, timeout) => {
    if (!problem) it(title, body, timeout);
    else if (IN_CI) it(`${title} (needs ${need.name})`, () => failMissing(need, problem));
    else it.skip(`${title} (skipped: ${problem})`, body);
  };
}

/** Fails the current test because `need` is missing (for a case inside a table that needs it). */
export function failMissing(need: Requirement, problem: string): never {
  throw new Error(missingMessage(need, problem));
}

/** Inside a test that needs `need`: skips it (with the reason) when `problem` is set, or fails it under CI. */
export function skipOrFail(context: { skip: (note?: string) => void }, need: Requirement, problem: string | undefined | false): void {
  if (!problem) return;
  if (IN_CI) failMissing(need, problem);
  context.skip(problem);
}
