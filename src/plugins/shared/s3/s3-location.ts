import { z } from "zod";

// Where an s3 plug-in's bucket is: the config keys of both s3 plug-ins, without the AWS SDK (the plug-in
// definitions import this at start-up; the SDK is loaded only when an s3 plug-in is created).

/** Config keys of both s3 plug-ins (no credentials: those come from the standard AWS chain). */
export const s3LocationFields = () => ({
  bucket: z.string().min(3).max(63),
  /** Keys start with it (`<prefix>/<run_id>/...`); empty for the bucket's root. */
  prefix: z
    .string()
    .default("")
    .refine((value) => !value.startsWith("/") && !value.split("/").includes(".."), "a relative key prefix without '..'"),
  /** An S3-compatible server (MinIO, moto, ...); AWS S3 when omitted. */
  endpoint_url: z.url().optional(),
  region: z.string().min(1).optional(),
  /** `http://host/bucket/key` addressing (most S3-compatible servers want it). */
  force_path_style: z.boolean().default(false),
  /**
   * How long a request may wait without a byte from the server (a frozen server, a lost network)
   * before it is given up (and retried); a large transfer that keeps moving is never cut.
   */
  timeout_seconds: z.number().positive().max(3600).default(20),
});

/** The location part of an s3 plug-in config. */
export interface S3Location {
  bucket: string;
  prefix: string;
  endpoint_url?: string | undefined;
  region?: string | undefined;
  force_path_style: boolean;
  /** Keys given in the config (runnable 0.50's MinIO types); otherwise the environment's or the AWS chain's. Never recorded. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  timeout_seconds?: number | undefined;
}

/**
 * Where an s3 plug-in's objects live, as one comparable text (server, bucket, prefix without trailing
 * slashes): the `place` trait, so a catalog and a run log store writing the same keys are noticed.
 */
export function s3Place(location: S3Location): string {
  return `${location.endpoint_url ?? ""}|${location.bucket}|${location.prefix.replace(/\/+$/, "")}`;
}
