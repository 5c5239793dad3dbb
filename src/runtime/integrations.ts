import { RunnableError } from "../core/errors.js";
import type { IntegrationFinding, PluginDefinition, ServiceKind } from "../ports/plugin.js";
import { builtinRegistry } from "./builtins.js";
import { createServiceSet, type ServiceSetup } from "./compose-services.js";
import type { Registry } from "./registry.js";

/**
 * The executor × service rules (§11.7), as machinery only: each plug-in writes its own rules against
 * the others' traits, capabilities and folders (`rules` of its definition); this collects them in a
 * fixed order, refuses the run on an error and shows the warnings.
 */

export type { IntegrationFinding } from "../ports/plugin.js";

/** The order rules are evaluated in: the services' own (about themselves and each other), then the executor's about them. */
const RULE_ORDER: readonly ServiceKind[] = ["run_log_store", "catalog", "secrets", "experiment_tracker", "executor"];

/** Every finding of the plug-ins' rules for this set of services, in {@link RULE_ORDER}. */
export function integrationFindings(setup: ServiceSetup): IntegrationFinding[] {
  return RULE_ORDER.flatMap((kind) => {
    const definition = setup.definitions[kind] as PluginDefinition<ServiceKind, unknown>;
    return definition.rules?.(setup.peers.services[kind], setup.peers, setup.configs[kind]) ?? [];
  });
}

/** Refuses a combination any rule refused (CONFIG_INVALID, every refusal listed); shows the warnings unless `quiet`. */
export function applyFindings(findings: readonly IntegrationFinding[], executorType: string, warn: (message: string) => void, quiet = false): void {
  const refused = findings.filter((finding) => finding.level === "error");
  if (refused.length > 0) {
    throw new RunnableError(
      "CONFIG_INVALID",
      `the services configuration cannot be used with executor ${executorType}:\n${refused.map((f) => f.message).join("\n")}`,
    );
  }
  if (!quiet) for (const finding of findings) if (finding.level === "warning") warn(finding.message);
}

/** A service as a config names it: its type and (unparsed) config mapping. */
export interface ConfiguredService {
  type: string;
  config?: Readonly<Record<string, unknown>>;
}

/** The executor and the four services of a run, as a config names them. */
export type IntegrationInput = Record<ServiceKind, ConfiguredService>;

/**
 * The findings for services as a config would name them (for tests of plug-ins' rules): each config is
 * validated by its plug-in's schema and the services are created (nothing is written).
 */
export async function findingsForConfigs(
  input: IntegrationInput,
  options: { registry?: Registry; cwd?: string; env?: Readonly<Record<string, string | undefined>> } = {},
): Promise<IntegrationFinding[]> {
  return integrationFindings(await setupForConfigs(input, options));
}

/** The services for configs as a config file would name them, created with their peers (see {@link findingsForConfigs}). */
export async function setupForConfigs(
  input: IntegrationInput,
  options: { registry?: Registry; cwd?: string; env?: Readonly<Record<string, string | undefined>> } = {},
): Promise<ServiceSetup> {
  const registry = options.registry ?? builtinRegistry();
  const parse = (kind: ServiceKind) => {
    const definition = registry.find(kind, input[kind].type);
    return { type: input[kind].type, config: definition ? definition.configSchema.parse(input[kind].config ?? {}) : input[kind].config };
  };
  const chosen = {
    executor: parse("executor"),
    run_log_store: parse("run_log_store"),
    catalog: parse("catalog"),
    secrets: parse("secrets"),
    experiment_tracker: parse("experiment_tracker"),
  };
  return createServiceSet(registry, chosen, { cwd: options.cwd ?? process.cwd(), env: options.env ?? {}, warn: () => undefined });
}
