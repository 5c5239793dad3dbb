/** The contract suites every plug-in kind must pass (vitest suites; `vitest` and `ajv` are optional peer dependencies). */
export {
  runLogStoreContract,
  sampleRunConfig,
  sampleRunHeader,
  sampleStepLog,
  contractSchemaPath,
  type RunLogStoreCapabilities,
  type RunLogStoreHarness,
} from "./run-log-store.contract.js";
export { catalogContract } from "./catalog.contract.js";
export { secretsContract, CONTRACT_SECRETS } from "./secrets.contract.js";
export { taskRunnerContract, contractTask, type ContractTasks } from "./task-runner.contract.js";
export { executorContract, type ExecutorHarness } from "./executor.contract.js";
