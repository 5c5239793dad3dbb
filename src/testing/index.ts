/**
 * Test support for users of runnable-ts (no test framework needed): run a pipeline with tasks mocked
 * or patched, call a task function with a fake task context, in-memory fakes for engine tests. The
 * contract suites for plug-ins (which need vitest and ajv) are in `runnable-ts/testing/contracts`.
 */
export { runWithMocks, callTask, type MockRunOptions, type Patch, type CallTaskOptions, type CalledTask } from "./mocks.js";
export {
  recordingTracker,
  scriptedRunner,
  fixedClock,
  memoryCatalog,
  untilStopped,
  stopsRun,
  takes,
  failsTimes,
  type RecordingTracker,
  type ScriptedRunner,
  type ScriptedAttempt,
  type ScriptedFunction,
  type MemoryCatalog,
} from "./fakes.js";
export { testServices, realTaskServices, runGraph, graphOf, graphOfFile, type RunGraphOptions } from "./engine-harness.js";
export { testInvocation, type TestInvocationOptions } from "./invocation.js";
export { findingsForConfigs, setupForConfigs, type IntegrationInput } from "../runtime/integrations.js";
