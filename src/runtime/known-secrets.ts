import { allNodes, type Graph } from "../core/graph.js";
import type { Secrets } from "../ports/secrets.js";

/** Values this short are masked only once a step declares them: masking "1" or "yes" everywhere would hide ordinary output. */
export const MIN_UNDECLARED_SECRET_CHARS = 4;

/**
 * The secret values a run masks from its start: every value the secrets service can list (a dotenv
 * file), and the value of every secret any step of the pipeline declares (`secrets:`; with
 * env-secrets-manager these are in every task's environment anyway). Secrets that cannot be read now
 * are left to the step that needs them (it fails with the reason).
 */
export async function knownSecretValues(graph: Graph, secrets: Secrets, warn: (message: string) => void): Promise<string[]> {
  const values = new Set<string>();
  const declared = new Set<string>();
  for (const node of allNodes(graph)) if (node.kind === "task") for (const name of node.secrets) declared.add(name);
  for (const name of declared) {
    const value = await secrets.get(name).catch(() => "");
    if (value) values.add(value);
  }
  const listed = (await secrets.knownValues?.().catch(() => [] as string[])) ?? [];
  let short = 0;
  for (const value of listed) {
    if (value.length >= MIN_UNDECLARED_SECRET_CHARS) values.add(value);
    else if (value && !values.has(value)) short++;
  }
  if (short > 0) {
    warn(
      `${short} secret value(s) of the ${secrets.type} secrets are shorter than ${MIN_UNDECLARED_SECRET_CHARS} characters: they are masked only in steps that declare them (secrets:)`,
    );
  }
  return [...values];
}
