import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { contractTask, taskRunnerContract } from "../../../testing/contracts/task-runner.contract.js";
import { createTypescriptRunner } from "./typescript.js";

const MODULE = [
  'import { getAbortSignal, getParameter, setParameter } from "../../../sdk/task-api.js";',
  "export function echo() { setParameter({ echoed: getParameter('value') }); }",
  "export function print() { console.log('hello stdout'); console.error('hello stderr'); }",
  "export function fail() { throw new Error('failing on purpose'); }",
  "export function sleep() { return new Promise((resolve) => { const timer = setTimeout(resolve, 30_000); getAbortSignal().addEventListener('abort', () => { clearTimeout(timer); resolve(undefined); }); }); }",
].join("\n");

const sdk = join(import.meta.dirname, "contract-tasks.fixture.ts");

taskRunnerContract("typescript", async () => createTypescriptRunner(), {
  setup: async () => writeFile(sdk, MODULE.replaceAll("../../../sdk/task-api.js", join(import.meta.dirname, "../../../sdk/task-api.ts"))),
  echo: contractTask("echo", "typescript", `${sdk}#echo`),
  print: contractTask("print", "typescript", `${sdk}#print`),
  fail: contractTask("fail", "typescript", `${sdk}#fail`),
  sleep: contractTask("sleep", "typescript", `${sdk}#sleep`),
});
