// A fast check of a whole run log read back from disk against the same rules as `runLogSchema`
// (run-log.schema.json). Tens of thousands of step logs are checked in a few milliseconds; only when
// this check fails does the zod schema run, to say precisely what is wrong and where.

import { isMapping } from "../../../core/values.js";

const STATUSES = new Set(["CREATED", "TRIGGERED", "PROCESSING", "SUCCESS", "FAIL"]);
const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/;
const DURATION = /^\d+:\d{2}:\d{2}(\.\d{6})?$/;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => isMapping(value);
const isString = (value: unknown): value is string => typeof value === "string";
const isNullableString = (value: unknown): boolean => value === null || typeof value === "string";

function identityOk(value: unknown): boolean {
  if (!isObject(value)) return false;
  const dependable = value.code_identifier_dependable;
  return (
    isNullableString(value.code_identifier) &&
    isNullableString(value.code_identifier_type) &&
    (dependable === null || typeof dependable === "boolean") &&
    isNullableString(value.code_identifier_url) &&
    isNullableString(value.code_identifier_message)
  );
}

function attemptOk(value: unknown): boolean {
  if (!isObject(value)) return false;
  const number = value.attempt_number;
  return (
    typeof number === "number" &&
    Number.isInteger(number) &&
    number >= 1 &&
    isString(value.start_time) &&
    TIMESTAMP.test(value.start_time) &&
    isString(value.end_time) &&
    TIMESTAMP.test(value.end_time) &&
    isString(value.duration) &&
    DURATION.test(value.duration) &&
    STATUSES.has(value.status as string) &&
    isString(value.message) &&
    isObject(value.parameters)
  );
}

function catalogOk(value: unknown): boolean {
  if (!isObject(value)) return false;
  return (
    isString(value.name) &&
    value.name.length > 0 &&
    isString(value.data_hash) &&
    isString(value.catalog_relative_path) &&
    isString(value.catalog_handler_location) &&
    (value.stage === "get" || value.stage === "put")
  );
}

function stepOk(value: unknown): boolean {
  if (!isObject(value)) return false;
  const ok =
    isString(value.name) &&
    isString(value.internal_name) &&
    STATUSES.has(value.status as string) &&
    isString(value.step_type) &&
    value.step_type.length > 0 &&
    isString(value.message) &&
    typeof value.mock === "boolean" &&
    Array.isArray(value.code_identities) &&
    value.code_identities.every(identityOk) &&
    Array.isArray(value.attempts) &&
    value.attempts.every(attemptOk) &&
    isObject(value.user_defined_metrics) &&
    Array.isArray(value.data_catalog) &&
    value.data_catalog.every(catalogOk) &&
    isObject(value.branches);
  if (!ok) return false;
  for (const branch of Object.values(value.branches as Json)) if (!branchOk(branch)) return false;
  return true;
}

function branchOk(value: unknown): boolean {
  if (!isObject(value) || !isString(value.internal_name) || !STATUSES.has(value.status as string) || !isObject(value.steps)) return false;
  for (const step of Object.values(value.steps)) if (!stepOk(step)) return false;
  return true;
}

function serviceOk(value: unknown): boolean {
  return isObject(value) && isString(value.service_name) && value.service_name.length > 0 && isString(value.service_type) && value.service_type.length > 0;
}

function runConfigOk(value: unknown): boolean {
  if (!isObject(value)) return false;
  const services = ["executor", "run_log_store", "secrets_handler", "catalog_handler", "experiment_tracker"].every((key) => serviceOk(value[key]));
  const strings = ["pipeline_file", "parameters_file", "configuration_file", "tag", "original_run_id", "dag_hash"].every((key) => isNullableString(value[key]));
  const dag = value.dag;
  const dagOk =
    isObject(dag) &&
    isString(dag.start_at) &&
    isObject(dag.steps) &&
    Object.values(dag.steps).every((step) => isObject(step) && isString(step.type) && isString(step.name));
  return (
    services &&
    strings &&
    dagOk &&
    isString(value.run_id) &&
    isObject(value.variables) &&
    typeof value.use_cached === "boolean" &&
    isString(value.execution_plan)
  );
}

/** True when `value` is a whole run log by the rules of run-log.schema.json (false: run the zod schema to learn why). */
export function isRunLogShape(value: unknown): boolean {
  if (!isObject(value)) return false;
  const header =
    isString(value.run_id) &&
    value.run_id.length > 0 &&
    isNullableString(value.dag_hash) &&
    typeof value.use_cached === "boolean" &&
    isNullableString(value.tag) &&
    isNullableString(value.original_run_id) &&
    STATUSES.has(value.status as string) &&
    isObject(value.parameters) &&
    runConfigOk(value.run_config) &&
    isObject(value.steps);
  if (!header) return false;
  for (const step of Object.values(value.steps as Json)) if (!stepOk(step)) return false;
  return true;
}

/** True when `op` is a well-formed update (false: run the zod schema to learn why). Nested branches and steps are not looked at. */
export function isOpShape(op: unknown): boolean {
  if (
    !isObject(op) ||
    !Array.isArray(op.location) ||
    !op.location.every((pair) => Array.isArray(pair) && pair.length === 2 && isString(pair[0]) && isString(pair[1]))
  )
    return false;
  if (op.seq !== undefined && typeof op.seq !== "number") return false;
  const payload = op.payload;
  switch (op.op) {
    case "status":
      return STATUSES.has(payload as string);
    case "parameters":
      return isObject(payload);
    case "run_config":
      return runConfigOk(payload);
    case "step":
      return isObject(payload) && stepOk({ ...payload, branches: {} });
    case "branch":
      return isObject(payload) && isString(payload.internal_name) && STATUSES.has(payload.status as string) && isObject(payload.steps);
    case "remove":
      return isString(payload) && payload.length > 0;
    default:
      return false;
  }
}
