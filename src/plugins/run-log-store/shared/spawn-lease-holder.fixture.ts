import { spawn } from "node:child_process";
import path from "node:path";

/** Starts the lease-holder fixture for a file-based store and resolves with its pid once it holds the lease. */
export function holdLeaseInChild(kind: "file-system" | "chunked-fs", folder: string, runId: string): Promise<{ pid: number }> {
  const fixture = path.join(import.meta.dirname, "lease-holder.fixture.ts");
  const child = spawn(process.execPath, ["--import", "tsx", fixture, kind, folder, runId], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("held") && child.pid !== undefined) resolve({ pid: child.pid });
    });
    child.on("exit", (code) => reject(new Error(`lease holder exited with code ${code}`)));
  });
}
