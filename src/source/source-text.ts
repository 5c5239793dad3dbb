import type { Problem } from "../core/errors.js";
import { readBoundedFile } from "./bounded-file.js";

// Pipeline, config and parameters files are UTF-8 text. Node's "utf8" decoding would silently turn
// invalid bytes into U+FFFD (renaming steps) and read UTF-16 as garbage, so files are decoded strictly
// and the problem is reported with its position.

const UTF16_BOMS: ReadonlyArray<[number, number, string]> = [
  [0xff, 0xfe, "UTF-16 (little-endian)"],
  [0xfe, 0xff, "UTF-16 (big-endian)"],
];

/** The line and column of byte `offset` of a UTF-8 buffer (1-based; columns count characters). */
function positionOf(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const before = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, offset));
  return { line, col: [...before].length + 1 };
}

/** The offset of the first byte that is not valid UTF-8 (a bounded search: it only runs on broken files). */
function firstInvalidByte(bytes: Uint8Array): number {
  const strict = new TextDecoder("utf-8", { fatal: true });
  let low = 0;
  let high = bytes.length;
  // the longest valid prefix, found by halving (a valid prefix may end inside a character: allow 3 bytes)
  while (high - low > 4) {
    const middle = (low + high) >> 1;
    try {
      strict.decode(bytes.subarray(0, middle), { stream: true });
      low = middle;
    } catch {
      high = middle;
    }
  }
  for (let end = low; end <= high; end++) {
    try {
      strict.decode(bytes.subarray(0, end));
    } catch {
      return Math.max(0, end - 1);
    }
  }
  return low;
}

/** Decodes a text file's bytes as UTF-8 (a UTF-8 BOM is dropped); a problem for UTF-16 or invalid bytes. */
export function decodeSourceText(bytes: Uint8Array, shown: string): { text: string } | { problem: Problem } {
  for (const [first, second, name] of UTF16_BOMS) {
    if (bytes[0] === first && bytes[1] === second) {
      return { problem: { message: `${shown} is encoded as ${name}; save it as UTF-8`, file: shown, line: 1, col: 1 } };
    }
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start);
  const nul = body.indexOf(0);
  if (nul >= 0) {
    const message = `${shown} contains a NUL byte (at offset ${nul + start}): it looks like a binary or UTF-16 file; save it as UTF-8 text`;
    return { problem: { message, file: shown, ...positionOf(body, nul) } };
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(body) };
  } catch {
    const offset = firstInvalidByte(body);
    const byte = body[offset]?.toString(16).padStart(2, "0") ?? "??";
    const message = `${shown} is not valid UTF-8 (byte 0x${byte} at offset ${offset + start}); save it as UTF-8`;
    return { problem: { message, file: shown, ...positionOf(body, offset) } };
  }
}

/**
 * Reads a text file strictly as UTF-8, a regular file of at most `limitBytes` (see bounded-file.ts);
 * `failed` gets the read error (word it with `boundedReadFailure`), `invalid` the encoding problem.
 */
export async function readSourceText<E>(
  absolute: string,
  shown: string,
  errors: { failed: (error: unknown) => E; invalid: (problem: Problem) => E },
  limitBytes: number,
): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readBoundedFile(absolute, limitBytes);
  } catch (error) {
    throw errors.failed(error);
  }
  const decoded = decodeSourceText(bytes, shown);
  if ("problem" in decoded) throw errors.invalid(decoded.problem);
  return decoded.text;
}
