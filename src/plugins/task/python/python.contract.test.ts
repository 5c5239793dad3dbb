import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { contractTask, taskRunnerContract } from "../../../testing/contracts/task-runner.contract.js";
import { createPythonRunner } from "./python.js";

const MODULE = [
  "import sys, time",
  "def echo(value):",
  "    return {'echoed': value}",
  "def show():",
  "    print('hello stdout')",
  "    print('hello stderr', file=sys.stderr)",
  "def fail():",
  "    raise ValueError('failing on purpose')",
  "def sleep():",
  "    time.sleep(30)",
].join("\n");

taskRunnerContract("python", async (cwd) => createPythonRunner({}, { cwd, env: process.env, warn: () => undefined }), {
  setup: async (cwd) => writeFile(join(cwd, "contract_tasks.py"), `${MODULE}\n`),
  echo: contractTask("echo", "python", "contract_tasks.echo"),
  print: contractTask("print", "python", "contract_tasks.show"),
  fail: contractTask("fail", "python", "contract_tasks.fail"),
  sleep: contractTask("sleep", "python", "contract_tasks.sleep"),
});
