/** Placeholder segment for a map item in internal names (runnable's constant). */
export const MAP_PLACEHOLDER = "map_variable_placeholder";

/** Branch segment of a `dag` node's sub-graph. */
export const DAG_BRANCH = "dag";

/** Ordered map of `iterate_as` name to the current item, outermost map first. */
export type MapVariable = ReadonlyArray<readonly [name: string, value: unknown]>;

/** Joins a branch name and a step name into an internal name. */
export function childName(internalBranchName: string, name: string): string {
  return internalBranchName ? `${internalBranchName}.${name}` : name;
}

/** Text of a map item as used in names: strings as is, everything else as JSON. */
export function itemText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isInteger(value)) return String(value);
  return JSON.stringify(value);
}

/** Replaces each placeholder, left to right, with the next map item (runnable's `_resolve_map_placeholders`). */
export function resolveName(name: string, mapVariable: MapVariable): string {
  let resolved = name;
  for (const [, value] of mapVariable) {
    const at = resolved.indexOf(MAP_PLACEHOLDER);
    if (at < 0) break;
    resolved = resolved.slice(0, at) + itemText(value) + resolved.slice(at + MAP_PLACEHOLDER.length);
  }
  return resolved;
}

/** Step names must be non-empty and contain neither `.` nor `%` (they build dot paths). */
export function stepNameProblem(name: string): string | undefined {
  if (name.trim() === "") return "a step name cannot be empty";
  if (name.includes(".") || name.includes("%")) return `step name "${name}" cannot contain "." or "%"`;
  return undefined;
}

/**
 * The file name of a step's execution log: runnable's `<name with _ for spaces>.execution.log[_<item>...]`,
 * prefixed with `<step>.<branch>.` for every enclosing parallel or dag branch, so same-named steps of
 * different branches do not overwrite each other's log (fixes runnable's collision; map items already
 * tell map branches apart). `internalName` is the unresolved internal name.
 */
export function executionLogName(internalName: string, mapVariable: MapVariable): string {
  const segments = internalName.split(".");
  let prefix = "";
  for (let i = 0; i + 1 < segments.length - 1; i += 2) {
    if (segments[i + 1] !== MAP_PLACEHOLDER) prefix += `${segments[i]}.${segments[i + 1]}.`;
  }
  const base = `${(prefix + segments[segments.length - 1]).replace(/ /g, "_")}.execution.log`;
  return mapVariable.reduce((acc, [, value]) => `${acc}_${safeSegment(itemText(value))}`, base);
}

/** A map item made safe as one path segment (no separators, no `..`). */
export function safeSegment(text: string): string {
  const cleaned = text.replace(/[/\\\0]/g, "_");
  return cleaned === "." || cleaned === ".." ? cleaned.replace(/\./g, "_") : cleaned;
}
