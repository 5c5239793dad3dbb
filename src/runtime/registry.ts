import type { AnyPluginDefinition, PluginDefinition, PluginKind } from "../ports/plugin.js";

/** The plug-ins a run can choose from, by kind and type (an object passed down, never a singleton). */
export interface Registry {
  /** The definition of `kind`/`type`, or undefined. */
  find<K extends PluginKind>(kind: K, type: string): PluginDefinition<K, unknown> | undefined;
  /** Every definition of a kind, in registration order. */
  all<K extends PluginKind>(kind: K): PluginDefinition<K, unknown>[];
}

/** Builds a registry from plug-in definitions (a later definition of the same kind/type replaces an earlier one). */
export function createRegistry(definitions: readonly AnyPluginDefinition[]): Registry {
  const byKey = new Map<string, AnyPluginDefinition>();
  for (const definition of definitions) byKey.set(`${definition.kind}\0${definition.type}`, definition);
  return {
    find: (kind, type) => byKey.get(`${kind}\0${type}`) as never,
    all: (kind) => [...byKey.values()].filter((d) => d.kind === kind) as never,
  };
}
