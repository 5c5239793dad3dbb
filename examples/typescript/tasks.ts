import { getParameter, getRunId, setParameter, track } from "runnable-ts";
import { z } from "zod";

/** Reads the initial parameters and returns new ones (a returned plain object becomes parameters). */
export function prepare(parameters: { spam: string; eggs: { ham: string } }): Record<string, unknown> {
  console.log(`spam is ${parameters.spam}, ham is ${parameters.eggs.ham}`);
  return { x: 1, y: { foo: 10, bar: "hello world" } };
}

const Y = z.object({ foo: z.number(), bar: z.string() });

/** Async tasks work too; the in-task API reads parameters with an optional zod schema. */
export async function train(): Promise<Record<string, unknown>> {
  const y = getParameter("y", Y);
  await new Promise((resolve) => setTimeout(resolve, 5));
  for (let epoch = 0; epoch < 3; epoch++) track({ loss: 1 / (epoch + 1) }, epoch);
  track({ run: getRunId().length > 0 });
  setParameter({ trained: true });
  return { score: y.foo * 2 };
}

/** Default exports can be named with `#default` or by the module path alone. */
export default function report(parameters: Record<string, unknown>): void {
  console.log(`score ${String(parameters.score)}, trained ${String(parameters.trained)}`);
}

/** Fails on purpose: the step's attempt records the error message. */
export function explode(): never {
  throw new TypeError("this task always fails");
}
