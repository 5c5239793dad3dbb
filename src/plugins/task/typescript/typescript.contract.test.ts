import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { contractTask, taskRunnerContract } from "../../../testing/contracts/task-runner.contract.js";
import { createTypescriptRunner } from "./typescript.js";

const API = join(import.meta.dirname, "../../../sdk/task-api.ts");
const MODULE = [
  `import { getAbortSignal, getParameter, setParameter } from ${JSON.stringify(API)};`,
  "export function echo() { setParameter({ echoed: getParameter('value') }); }",
  "export function print() { console.log('hello stdout'); console.error('hello stderr'); }",
  "export function fail() { throw new Error('failing on purpose'); }",
  "export function sleep() { return new Promise((resolve) => { const timer = setTimeout(resolve, 30_000); getAbortSignal().addEventListener('abort', () => { clearTimeout(timer); resolve(undefined); }); }); }",
].join("\n");

// Task modules are resolved from the working directory the contract makes (see `setup`).
taskRunnerContract("typescript", async () => createTypescriptRunner(), {
  setup: async (cwd) => writeFile(join(cwd, "contract-tasks.ts"), MODULE),
  echo: contractTask("echo", "typescript", "contract-tasks.ts#echo"),
  print: contractTask("print", "typescript", "contract-tasks.ts#print"),
  fail: contractTask("fail", "typescript", "contract-tasks.ts#fail"),
  sleep: contractTask("sleep", "typescript", "contract-tasks.ts#sleep"),
});
