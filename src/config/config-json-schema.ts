import { z } from "zod";
import { SERVICE_KEYS, type LoadServicesConfigOptions, type ServiceKey } from "./load-config.js";
import { JOB_EXECUTOR_KEY, KEY_SPELLINGS } from "./service-keys.js";
import { TASK_RUNNERS_KEY } from "./task-runners.js";

// The services configuration as JSON Schema, for editors (`runnable schema config`,
// schemas/config.schema.json). It is built from what the loader itself validates with: the top-level
// keys it reads and the config schema of every registered type (`known`, the same argument
// loadServicesConfig takes), so a plug-in type or a config key added to a plug-in appears here by itself.
// Each service is one of `{type, config}` per type, told apart by `type`.

/** What each service chooses, shown by editors. */
const SERVICE_DESCRIPTIONS: Readonly<Record<ServiceKey, string>> = {
  executor: "where and how steps run",
  run_log_store: "where run logs are kept",
  catalog: "where files put in the catalog are kept",
  secrets: "where secrets are read from",
  experiment_tracker: "where tracked metrics also go",
};

/** What a plug-in type is, for editors (its definition's description), by service and type. */
export type DescribeType = (service: string, type: string) => string | undefined;

/** `{type, config}` of one type; `config` may be left out (or empty) when the type needs nothing in it. */
function entryOf(type: string, schema: z.ZodType, description: string | undefined): z.ZodObject {
  const optional = schema.safeParse({}).success;
  const typeSchema = description ? z.literal(type).meta({ description }) : z.literal(type);
  return z.strictObject({ type: typeSchema, config: optional ? schema.nullable().optional() : schema }).meta({ title: type });
}

/** One service: an entry of any of its registered types (the choice made by `type`). */
function serviceSchema(service: string, schemas: Readonly<Record<string, z.ZodType>>, description: string, describe: DescribeType): z.ZodType {
  const entries = Object.entries(schemas).map(([type, schema]) => entryOf(type, schema, describe(service, type)));
  const types = Object.keys(schemas).join(", ");
  if (entries.length === 0) return z.never();
  const union = entries.length === 1 ? entries[0]! : z.discriminatedUnion("type", entries as [z.ZodObject, ...z.ZodObject[]]);
  return union.meta({ description: `${service}: ${description} (type: ${types})` });
}

/** The configuration file's document: each service and the task runners' settings, all optional. */
export function configDocumentSchema(known: LoadServicesConfigOptions["known"], describe: DescribeType = () => undefined): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  // Every spelling the loader accepts (runnable 0.50's `pipeline-executor`, `run-log-store`, ...) has the same schema.
  for (const service of SERVICE_KEYS) {
    const schema = serviceSchema(service, known[service] ?? {}, SERVICE_DESCRIPTIONS[service], describe).optional();
    for (const key of KEY_SPELLINGS[service]) shape[key] = schema;
  }
  const jobs = known[JOB_EXECUTOR_KEY] ?? {};
  const job =
    Object.keys(jobs).length > 0
      ? serviceSchema(JOB_EXECUTOR_KEY, jobs, "how a job runs (runnable 0.50's jobs)", describe)
      : z.looseObject({ type: z.string() }).meta({ description: "job-executor: how a job runs (runnable 0.50's jobs); its type and config" });
  for (const key of KEY_SPELLINGS[JOB_EXECUTOR_KEY]) shape[key] = job.optional();
  const runners = Object.fromEntries(Object.entries(known.task_runners ?? {}).map(([type, schema]) => [type, schema.nullable().optional()]));
  shape[TASK_RUNNERS_KEY] = z
    .strictObject(runners)
    .meta({ description: `settings of the task runners, by type (${Object.keys(runners).join(", ")})` })
    .optional();
  return z.strictObject(shape).meta({
    title: "runnable services configuration",
    description: "A services configuration of runnable and runnable-ts (-c, RUNNABLE_CONFIGURATION_FILE): each service's type and config.",
  });
}
