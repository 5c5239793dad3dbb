import { z } from "zod";

/** Container runtimes the executor can drive (same CLI shape). */
export const CONTAINER_RUNTIMES = ["podman", "docker"] as const;

/** A container runtime. */
export type ContainerRuntime = (typeof CONTAINER_RUNTIMES)[number];

/**
 * Builds the config schema of the `local-container` executor (§11.4): runnable's keys plus the runtime
 * and a step time limit. Built when a config names the executor, not when the CLI starts.
 */
export function buildLocalContainerConfigSchema() {
  /** Environment values: strings, with numbers and booleans written as their text. */
  const environment = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));

  /** What a step's `overrides: {local-container: <key>}` bundle may change (unknown keys are errors). */
  const localContainerOverrideSchema = z.strictObject({
    docker_image: z.string().min(1).optional(),
    auto_remove_container: z.boolean().optional(),
    run_in_local: z.boolean().optional(),
    /** Replaces the whole environment mapping (runnable's shallow merge). */
    environment: environment.optional(),
    max_step_duration_in_seconds: z.number().int().positive().optional(),
  });

  /** Config of the `local-container` executor (§11.4): runnable's keys plus the runtime and a step time limit. */
  const localContainerConfigSchema = z.strictObject({
    docker_image: z.string().min(1),
    auto_remove_container: z.boolean().default(true),
    run_in_local: z.boolean().default(false),
    environment: environment.nullish().transform((v) => v ?? {}),
    enable_parallel: z.boolean().default(false),
    overrides: z
      .record(z.string(), localContainerOverrideSchema)
      .nullish()
      .transform((v) => v ?? {}),
    /** `podman` or `docker`; default: the one found on PATH (podman first). */
    container_runtime: z.enum(CONTAINER_RUNTIMES).optional(),
    /** Stop a step's container after this many seconds (default: no limit). */
    max_step_duration_in_seconds: z.number().int().positive().optional(),
  });
  return localContainerConfigSchema;
}

/** The validated `local-container` executor config. */
export type LocalContainerConfig = z.output<ReturnType<typeof buildLocalContainerConfigSchema>>;
/** One override bundle. */
export type LocalContainerOverride = LocalContainerConfig["overrides"][string];
