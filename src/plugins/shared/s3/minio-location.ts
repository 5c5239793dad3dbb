import { z } from "zod";
import type { S3Location } from "./s3-location.js";

// runnable 0.50's MinIO plug-ins (`minio` catalog, `minio` and `chunked-minio` run log stores) are S3
// buckets on a MinIO server named by runnable 0.50's config keys: an endpoint, the keys themselves
// (MinIO's defaults), and a bucket that may carry a path (`runnable/run-logs`: bucket `runnable`,
// prefix `run-logs`). They are served by the s3 plug-ins with this translation.

/** runnable 0.50's MinIO server when none is configured. */
export const MINIO_DEFAULT_ENDPOINT = "http://localhost:9002";

/** runnable 0.50's config keys of its MinIO plug-ins; `bucket` defaults to the plug-in's. */
export const minioFields = (defaultBucket: string) => ({
  endpoint_url: z.url().default(MINIO_DEFAULT_ENDPOINT),
  aws_access_key_id: z.string().min(1).default("minioadmin"),
  aws_secret_access_key: z.string().min(1).default("minioadmin"),
  /** A bucket, optionally followed by a key prefix (`bucket/some/prefix`). */
  bucket: z
    .string()
    .default(defaultBucket)
    .refine((value) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^/]+)*\/?$/.test(value) && !value.split("/").includes(".."), {
      message: "a bucket name (3-63 lower-case letters, digits, dots, dashes), optionally followed by /prefix",
    }),
  /** Seconds a request may go unanswered before it is given up (as the s3 plug-ins' `timeout_seconds`). */
  timeout_seconds: z.number().positive().max(3600).default(20),
});

/** The validated MinIO keys. */
export interface MinioConfig {
  endpoint_url: string;
  aws_access_key_id: string;
  aws_secret_access_key: string;
  bucket: string;
  timeout_seconds: number;
}

/** The s3 location of a MinIO config: bucket and prefix split, path-style addressing, the config's keys. */
export function minioLocation(config: MinioConfig): S3Location {
  const [bucket, ...prefix] = config.bucket.replace(/\/+$/, "").split("/");
  return {
    bucket: bucket!,
    prefix: prefix.join("/"),
    endpoint_url: config.endpoint_url,
    force_path_style: true,
    credentials: { accessKeyId: config.aws_access_key_id, secretAccessKey: config.aws_secret_access_key },
    timeout_seconds: config.timeout_seconds,
  };
}
