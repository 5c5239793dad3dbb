/** Replaces every secret value in `text` with `***` (longest first, so overlapping secrets mask fully). */
export function maskSecrets(text: string, secrets: Iterable<string>): string {
  let masked = text;
  const sorted = [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  for (const secret of sorted) if (masked.includes(secret)) masked = masked.split(secret).join("***");
  return masked;
}

/** Masks secrets in every string and every key of a JSON value; returns the value itself when none occurs. */
export function maskDeep<T>(value: T, secrets: ReadonlySet<string>): T {
  if (secrets.size === 0) return value;
  const text = JSON.stringify(value);
  if (text === undefined) return value;
  let found = false;
  for (const secret of secrets) if (secret && text.includes(JSON.stringify(secret).slice(1, -1))) found = true;
  if (!found) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return maskSecrets(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [maskSecrets(k, secrets), walk(x)]));
    return v;
  };
  return walk(value) as T;
}
