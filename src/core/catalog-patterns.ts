// Catalog patterns are globs relative to the working directory (put) or to the run's catalog area
// (get). One that is absolute or walks up with `..` (also inside a brace or extglob group) could read
// or write outside them, so it is refused: by the definition before a run, and by catalogs again.

const PARENT_SEGMENT = /(^|[/\\{,(|])\.\.([/\\},)|]|$)/;

/** Why a catalog pattern cannot be used (empty, NUL, absolute, `..`), or undefined when it is fine. */
export function catalogPatternProblem(pattern: string): string | undefined {
  if (pattern.trim() === "") return "is empty";
  if (pattern.includes("\0")) return "contains a NUL character";
  if (pattern.startsWith("/") || pattern.startsWith("\\") || /^[A-Za-z]:/.test(pattern)) return "is absolute";
  if (PARENT_SEGMENT.test(pattern)) return 'walks up with ".."';
  return undefined;
}
