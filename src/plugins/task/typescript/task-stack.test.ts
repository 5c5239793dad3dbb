import { sep } from "node:path";
import { describe, expect, it } from "vitest";
import { taskStack } from "./task-stack.js";

const root = `${sep}opt${sep}app${sep}node_modules${sep}runnable-ts${sep}`;
const errorWith = (stack: string): Error => Object.assign(new Error("boom"), { stack });

describe("task stacks (issue 6: the task's frames only)", () => {
  it("ends at the first frame of runnable-ts and leaves Node's internals out", () => {
    const stack = [
      "Error: boom",
      "    at inner (file:///home/u/p/tasks.ts:3:9)",
      "    at Array.map (<anonymous>)",
      "    at node:internal/process/task_queues:95:5",
      "    at run (file:///home/u/p/tasks.ts:7:3)",
      `    at file://${root}dist/plugins/task/typescript/typescript.js:40:1`,
      "    at AsyncLocalStorage.run (node:async_hooks:346:14)",
      `    at async attemptTask (${root}src/engine/execute-task.ts:118:7)`,
    ].join("\n");
    expect(taskStack(errorWith(stack), root)).toBe(
      ["Error: boom", "    at inner (file:///home/u/p/tasks.ts:3:9)", "    at Array.map (<anonymous>)", "    at run (file:///home/u/p/tasks.ts:7:3)"].join(
        "\n",
      ),
    );
  });

  it("names modules tsx loaded as data: URLs by their file", () => {
    const url = `data:text/javascript,__filename%3D%22%2Fhome%2Fu%2Fp%2Fboom.ts%22%3B(()%3D%3E%7Brequire(%22x%22)%7D)():1:2`;
    const stack = `Error: boom\n    at inner (${url})\n    at run (${url})`;
    expect(taskStack(errorWith(stack), root)).toBe("Error: boom\n    at inner (/home/u/p/boom.ts)\n    at run (/home/u/p/boom.ts)");
  });
});
