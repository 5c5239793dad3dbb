import { createHash } from "node:crypto";

/** Longest template/task name rendered (a Kubernetes label value holds at most 63 characters). */
export const MAX_NAME_LENGTH = 63;

/** Longest suffix added to a node's base name (`-fan-out`). */
const LONGEST_SUFFIX = 8;

const HASH_LENGTH = 6;

/** Six lower-case base-36 characters derived from `key` (stable across renders and machines). */
export function shortHash(key: string): string {
  const digest = createHash("sha256").update(key).digest();
  return (digest.readUIntBE(0, 6) % 36 ** HASH_LENGTH).toString(36).padStart(HASH_LENGTH, "0");
}

/** Lower-case letters and digits joined by single `-`, starting with a letter (Argo evaluates names in `depends`). */
export function slug(text: string): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (cleaned === "") return "step";
  return /^[a-z]/.test(cleaned) ? cleaned : `n-${cleaned}`;
}

/**
 * Hands out unique, deterministic Kubernetes-style names: `<readable slug>-<hash of key>`, at most
 * 63 characters minus room for the longest suffix, so `<name>-fan-out` also fits. Collisions (two keys
 * with the same slug and hash) get a new hash from the key plus a counter.
 */
export function createNamer(): { name: (readable: string, key: string) => string; has: (name: string) => boolean } {
  const byKey = new Map<string, string>();
  const taken = new Set<string>();
  const room = MAX_NAME_LENGTH - LONGEST_SUFFIX - HASH_LENGTH - 1;
  return {
    name(readable, key) {
      const known = byKey.get(key);
      if (known) return known;
      const base = slug(readable).slice(0, room).replace(/-+$/, "");
      let candidate = `${base}-${shortHash(key)}`;
      for (let i = 1; taken.has(candidate); i++) candidate = `${base}-${shortHash(`${key}\0${i}`)}`;
      taken.add(candidate);
      byKey.set(key, candidate);
      return candidate;
    },
    has: (name) => taken.has(name),
  };
}

/** runnable's command-friendly form of an internal name: spaces become `%` (placeholders stay unresolved). */
export function commandFriendlyName(internalName: string): string {
  return internalName.replace(/ /g, "%");
}

const PARAMETER_NAME = /^[-a-zA-Z0-9_]+$/;

/** True when Argo accepts `name` as a parameter name. */
export function isParameterName(name: string): boolean {
  return PARAMETER_NAME.test(name);
}
