import { closeSync, openSync, writeSync } from "node:fs";
import { rm } from "node:fs/promises";

/**
 * A new owner-only temp file written with synchronous writes (the caller's stream waits, so memory
 * stays bounded). A failed write (a full disk) is kept, not thrown, so the task's output stream goes
 * on; the catalog reports it when the content is committed.
 */
export interface TempFileSink {
  readonly path: string;
  /** Bytes given to `write`, written or not. */
  readonly bytes: number;
  /** The first write error, if any (nothing is written after it). */
  readonly failure: unknown;
  /** Writes `data`; false when it was not written (a write failed, now or before). */
  write(data: Uint8Array): boolean;
  close(): void;
  /** Closes and removes the file. */
  remove(): Promise<void>;
}

/** Creates `file` (it must not exist) as a {@link TempFileSink}. */
export function openTempFileSink(file: string): TempFileSink {
  const fd = openSync(file, "wx", 0o600);
  const state = { bytes: 0, failure: undefined as unknown, open: true };
  const close = (): void => {
    if (state.open) closeSync(fd);
    state.open = false;
  };
  return {
    path: file,
    get bytes() {
      return state.bytes;
    },
    get failure() {
      return state.failure;
    },
    write(data) {
      state.bytes += data.length;
      if (state.failure !== undefined) return false;
      try {
        for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done);
        return true;
      } catch (error) {
        state.failure = error;
        return false;
      }
    },
    close,
    async remove() {
      close();
      await rm(file, { force: true });
    },
  };
}
