import { contractTask, taskRunnerContract } from "../../../testing/contracts/task-runner.contract.js";
import { createShellRunner } from "./shell.js";

taskRunnerContract("shell", async () => createShellRunner(), {
  echo: contractTask("echo", "shell", "export RUNNABLE_PRM_echoed=$RUNNABLE_PRM_value"),
  print: contractTask("print", "shell", "echo hello stdout; echo hello stderr >&2"),
  fail: contractTask("fail", "shell", "exit 4"),
  sleep: contractTask("sleep", "shell", "sleep 30 & wait"),
});
