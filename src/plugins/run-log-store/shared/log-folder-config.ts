import { z } from "zod";

/** Config of the file-based run log stores (runnable's one key; unknown keys are errors). */
export const logFolderConfigSchema = z.strictObject({
  log_folder: z.string().min(1).default(".run_log_store"),
});
