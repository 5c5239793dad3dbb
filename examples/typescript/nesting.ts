/**
 * runnable's concepts/nesting.yaml in TypeScript: map -> parallel -> map, both maps over the same
 * list, giving 2 x 2 x 2 leaf steps such as `outer most map.1.nested parallel.b.inner most map.0.executable`.
 * Run with: npx runnable execute -f examples/typescript/nesting.ts
 */
import { map, parallel, pipeline, shell, stub, type Pipeline } from "runnable-ts";

const innerMost = (): Pipeline =>
  pipeline({
    steps: [map({ name: "inner most map", iterateOn: "array", iterateAs: "yarg", branch: pipeline({ steps: [stub({ name: "executable" })] }) })],
  });

const nested = pipeline({
  steps: [parallel({ name: "nested parallel", branches: { a: innerMost(), b: innerMost() } })],
});

export default pipeline({
  steps: [
    shell({ name: "generate_list", command: 'export runnable_PRM_array="[0, 1]"' }),
    map({ name: "outer most map", iterateOn: "array", iterateAs: "xarg", branch: nested }),
  ],
});
