import { doNothingCatalogPlugin } from "../plugins/catalog/do-nothing/index.js";
import { fileSystemCatalogPlugin } from "../plugins/catalog/file-system/index.js";
import { minioCatalogPlugin, s3CatalogPlugin } from "../plugins/catalog/s3/index.js";
import { argoExecutorPlugin } from "../plugins/executor/argo/index.js";
import { emulatorExecutorPlugin } from "../plugins/executor/emulator/index.js";
import { localExecutorPlugin } from "../plugins/executor/local/index.js";
import { localContainerExecutorPlugin } from "../plugins/executor/local-container/index.js";
import { mockedExecutorPlugin } from "../plugins/executor/mocked/index.js";
import { slurmExecutorPlugin } from "../plugins/executor/slurm/index.js";
import { doNothingTrackerPlugin } from "../plugins/experiment-tracker/do-nothing/index.js";
import { mlflowTrackerPlugin } from "../plugins/experiment-tracker/mlflow/index.js";
import { bufferedRunLogStorePlugin } from "../plugins/run-log-store/buffered/index.js";
import { chunkedFsRunLogStorePlugin } from "../plugins/run-log-store/chunked-fs/index.js";
import { fileSystemRunLogStorePlugin } from "../plugins/run-log-store/file-system/index.js";
import { postgresRunLogStorePlugin } from "../plugins/run-log-store/postgres/index.js";
import { s3RunLogStorePlugin } from "../plugins/run-log-store/s3/index.js";
import { chunkedMinioRunLogStorePlugin, minioRunLogStorePlugin } from "../plugins/run-log-store/s3/minio.js";
import { doNothingSecretsPlugin } from "../plugins/secrets/do-nothing/index.js";
import { dotenvSecretsPlugin } from "../plugins/secrets/dotenv/index.js";
import { envSecretsManagerPlugin, envSecretsPlugin } from "../plugins/secrets/env-secrets-manager/index.js";
import { pythonTaskPlugin } from "../plugins/task/python/index.js";
import { shellTaskPlugin } from "../plugins/task/shell/index.js";
import { typescriptTaskPlugin } from "../plugins/task/typescript/index.js";
import type { AnyPluginDefinition } from "../ports/plugin.js";
import { createRegistry, type Registry } from "./registry.js";

/** Every built-in plug-in, listed explicitly (no scanning, no registration by side effect). */
export const BUILTIN_PLUGINS: readonly AnyPluginDefinition[] = [
  localExecutorPlugin,
  argoExecutorPlugin,
  localContainerExecutorPlugin,
  mockedExecutorPlugin,
  slurmExecutorPlugin,
  emulatorExecutorPlugin,
  fileSystemRunLogStorePlugin,
  bufferedRunLogStorePlugin,
  chunkedFsRunLogStorePlugin,
  postgresRunLogStorePlugin,
  s3RunLogStorePlugin,
  minioRunLogStorePlugin,
  chunkedMinioRunLogStorePlugin,
  fileSystemCatalogPlugin,
  doNothingCatalogPlugin,
  s3CatalogPlugin,
  minioCatalogPlugin,
  doNothingSecretsPlugin,
  dotenvSecretsPlugin,
  envSecretsManagerPlugin,
  envSecretsPlugin,
  doNothingTrackerPlugin,
  mlflowTrackerPlugin,
  shellTaskPlugin,
  typescriptTaskPlugin,
  pythonTaskPlugin,
];

/** A registry of the built-ins plus any extra plug-ins (extras replace built-ins of the same type). */
export function builtinRegistry(extra: readonly AnyPluginDefinition[] = []): Registry {
  return createRegistry([...BUILTIN_PLUGINS, ...extra]);
}
