import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./cli.js";

/** Environment for podman commands: the containers.conf of scripts/setup-podman.sh (runc, ulimits). */
export function podmanEnv(): Record<string, string | undefined> {
  const conf = process.env["CONTAINERS_CONF"] ?? join(REPO, ".cache/podman/containers.conf");
  return { ...process.env, ...(existsSync(conf) ? { CONTAINERS_CONF: conf } : {}) };
}

/** Why container tests cannot run here, or undefined when podman works (checked once, synchronously). */
export const podmanMissing: string | undefined = (() => {
  try {
    execFileSync("podman", ["--version"], { env: podmanEnv() as NodeJS.ProcessEnv, stdio: "ignore" });
    return existsSync(join(REPO, ".cache/podman/containers.conf")) || process.env["CONTAINERS_CONF"]
      ? undefined
      : "run scripts/setup-podman.sh (containers.conf with runc)";
  } catch {
    return "podman is not installed (scripts/setup-podman.sh installs it)";
  }
})();

/** Runs a command; resolves with its exit code and output. */
export function exec(
  command: string,
  args: string[],
  env: Record<string, string | undefined> = podmanEnv(),
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(command, args, { env: env as NodeJS.ProcessEnv, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

let image: Promise<string> | undefined;

/** Builds (or finds cached) the test image with scripts/build-test-image.sh; resolves with its reference. */
export function testImage(): Promise<string> {
  image ??= exec("bash", [join(REPO, "scripts/build-test-image.sh")]).then((result) => {
    if (result.code !== 0) throw new Error(`scripts/build-test-image.sh failed: ${result.stderr}`);
    return result.stdout.trim().split("\n").at(-1)!;
  });
  return image;
}
