// Small shared pieces of the stand-in tests.

type Obj = Record<string, any>;

/** A Job manifest running `sh -c <script>` in `image` (scripted runners read the script to decide the outcome). */
export function jobManifest(name: string, script: string, spec: Obj = {}, image = "localhost/test:1"): Obj {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, labels: { app: "runnable" } },
    spec: { backoffLimit: 0, ...spec, template: { spec: { restartPolicy: "Never", containers: [{ name: "main", image, command: ["sh", "-c", script] }] } } },
  };
}

/** Polls `condition` every 10 ms until it holds; throws after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((done) => setTimeout(done, 10));
  }
}
