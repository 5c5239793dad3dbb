/** Test support for users of runnable-ts: the contract suites every plug-in kind must pass. */
export { runLogStoreContract, sampleRunConfig, sampleRunHeader, sampleStepLog, contractSchemaPath } from "./contracts/run-log-store.contract.js";
export { catalogContract } from "./contracts/catalog.contract.js";
export { secretsContract, CONTRACT_SECRETS } from "./contracts/secrets.contract.js";
