/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The candidate closest to `word` (case-insensitive), or undefined when none is plausibly meant. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = levenshtein(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** ` Did you mean "x"?` when a candidate is close to `word`, else "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = nearest(word, candidates);
  return match === undefined ? "" : ` Did you mean "${match}"?`;
}

/** ` (did you mean "x"?)` or ` (known: a, b, c)`, to append to a message about an unknown name. */
export function suggestion(word: string, candidates: readonly string[], noun = "known"): string {
  const near = nearest(word, candidates);
  if (near !== undefined) return ` (did you mean "${near}"?)`;
  if (candidates.length === 0) return "";
  return ` (${noun}: ${candidates.map((c) => `"${c}"`).join(", ")})`;
}
