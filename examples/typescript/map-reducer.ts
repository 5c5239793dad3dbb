/**
 * A map whose branches run TypeScript functions: each gets its item as a parameter (`file`), returns
 * `letters`, and a reducer function folds the values (in item order) into the run's `letters`.
 * Items may hold dots and spaces. Run with: npx runnable execute -f examples/typescript/map-reducer.ts
 */
import { map, pipeline, typescript } from "runnable-ts";

const count = pipeline({
  steps: [typescript({ name: "count", function: ({ file }: { file: string }) => ({ letters: file.length }) })],
});

export default pipeline({
  steps: [
    typescript({ name: "list files", function: () => ({ files: ["a.csv", "b c.csv", "x.y.z"] }) }),
    map({
      name: "count letters",
      iterateOn: "files",
      iterateAs: "file",
      branch: count,
      reducer: (values) => values.reduce((sum: number, value) => sum + Number(value), 0),
    }),
    typescript({
      name: "report",
      function: ({ letters }: { letters: number }) => {
        if (letters !== 17) throw new Error(`expected 17 letters, got ${letters}`);
        console.log(`letters in all names: ${letters}`);
      },
    }),
  ],
});
