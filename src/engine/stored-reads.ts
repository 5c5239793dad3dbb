import type { RunLog } from "../core/run-log.js";

// Steps launched in other processes are read back from the store when they end. A map's items end in
// bursts (an array task's items together), and a read of the whole run costs the same for one of them
// as for all: every step gets a read that started after it asked (so it sees what its process wrote),
// and the steps that ask while a read is running share the next one.

/** The read of the stored run in flight, and the one queued after it. */
export interface StoredReads {
  inFlight: Promise<RunLog> | undefined;
  queued: Promise<RunLog> | undefined;
}

/** No read yet. */
export function createStoredReads(): StoredReads {
  return { inFlight: undefined, queued: undefined };
}

function start(reads: StoredReads, read: () => Promise<RunLog>): Promise<RunLog> {
  const current = read();
  reads.inFlight = current;
  const settle = (): void => {
    if (reads.inFlight === current) reads.inFlight = undefined;
  };
  current.then(settle, settle);
  return current;
}

/** The stored run as read after this call: a read started now, or the one queued behind the read in flight. */
export function readStoredRun(reads: StoredReads, read: () => Promise<RunLog>): Promise<RunLog> {
  if (reads.queued) return reads.queued;
  if (!reads.inFlight) return start(reads, read);
  const queued = reads.inFlight
    .then(
      () => undefined,
      () => undefined,
    )
    .then(() => {
      reads.queued = undefined;
      return start(reads, read);
    });
  reads.queued = queued;
  return queued;
}
