import { readFile } from "node:fs/promises";
import { track } from "runnable-ts";

/** Reads the numbers the previous step cataloged, tracks a running mean, returns summary parameters. */
export async function summarise({ count }: { count: number }): Promise<{ mean: number; max: number }> {
  const numbers = (await readFile("data/numbers.txt", "utf8")).trim().split("\n").map(Number);
  if (numbers.length !== count) throw new Error(`expected ${count} numbers, found ${numbers.length}`);
  let sum = 0;
  numbers.forEach((value, index) => {
    sum += value;
    if ((index + 1) % 25 === 0) track({ running_mean: sum / (index + 1) }, index + 1);
  });
  const mean = sum / numbers.length;
  const max = Math.max(...numbers);
  track({ mean, max });
  console.log(`summarised ${numbers.length} numbers`);
  return { mean, max };
}
