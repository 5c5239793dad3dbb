import { z } from "zod";
import {
  branchLogSchema,
  parameterKindsSchema,
  parametersSchema,
  runConfigSchema,
  runHeaderFields,
  statusSchema,
  stepLogSchema,
} from "../../../core/run-log-schema.js";

// The pieces of a run log that stores keep apart (chunk files, journal lines), built from the run log
// format (core/run-log-schema.ts) so that a field added there is checked here too.

const jsonObject = z.record(z.string(), z.unknown());

/** A location: (composite step key, branch key) pairs. */
export const locationSchema = z.array(z.tuple([z.string(), z.string()]));

/** A step log as stored alone (chunk or journal): nested branches are not looked at. */
export const stepChunkSchema = stepLogSchema.extend({ branches: jsonObject, _location: locationSchema.optional() });

/** A branch log as stored alone: nested steps are not looked at. */
export const branchChunkSchema = branchLogSchema.extend({ steps: jsonObject, _location: locationSchema.optional() });

/** A run log whose steps live elsewhere (chunked `RunLog.json`): its `steps` are not looked at. */
export const runHeaderFileSchema = z.object({ ...runHeaderFields, steps: jsonObject.optional() });

/** One update of a run log (a journal line, and what every store checks before writing). */
export const runOpSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("status"), location: locationSchema, payload: statusSchema }),
  z.object({ op: z.literal("parameters"), location: locationSchema, payload: parametersSchema }),
  z.object({ op: z.literal("parameter_kinds"), location: locationSchema, payload: parameterKindsSchema }),
  z.object({ op: z.literal("run_config"), location: locationSchema, payload: runConfigSchema }),
  z.object({ op: z.literal("step"), location: locationSchema, seq: z.number().optional(), payload: stepChunkSchema }),
  z.object({ op: z.literal("branch"), location: locationSchema, seq: z.number().optional(), payload: branchChunkSchema }),
  z.object({ op: z.literal("remove"), location: locationSchema, payload: z.string().min(1) }),
]);
