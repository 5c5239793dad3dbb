/**
 * runnable's concepts/map_shell.yaml in TypeScript: a shell step produces the list, the map runs its
 * branch once per item (`iterate and execute.0` ... `.40`), each item with its own execution log.
 * Run with: npx runnable execute -f examples/typescript/map-shell.ts
 */
import { map, pipeline, shell } from "runnable-ts";

const execute = pipeline({
  steps: [
    shell({
      name: "execute",
      command: [
        "echo $runnable_PRM_stride",
        "echo $runnable_MAP_VARIABLE",
        "export runnable_PRM_end_index=$((runnable_PRM_start_index + runnable_PRM_stride))",
        "# prints 10 and {\"start_index\": 0}, {\"start_index\": 10}, ...",
      ].join("\n"),
    }),
  ],
});

export default pipeline({
  steps: [
    shell({ name: "chunk files", command: 'export runnable_PRM_stride=10 &&\nexport runnable_PRM_chunks="[0, 10, 20, 30, 40]"' }),
    map({ name: "iterate and execute", iterateOn: "chunks", iterateAs: "start_index", branch: execute }),
  ],
});
