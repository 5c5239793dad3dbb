/**
 * concepts/nested_dag.yaml in TypeScript: a `dag` step runs the pipeline in another YAML file as the
 * branch `nested.dag`. The path is relative to the working directory.
 * Run with (from the repository root): npx runnable execute -f examples/typescript/nested-dag.ts
 */
import { dag, pipeline, shell } from "runnable-ts";

export default pipeline({
  steps: [
    shell({ name: "prepare", command: 'export runnable_PRM_greeting="hello"' }),
    dag({ name: "nested", definition: "examples/concepts/nested_dag_definition.yaml" }),
    shell({ name: "report", command: `test "$runnable_PRM_reply" = '"hello from the nested pipeline"'` }),
  ],
});
