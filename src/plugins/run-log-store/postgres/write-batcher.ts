import { type Database, query } from "./database.js";

/** One entity write: the arguments of runnable_put_entity. */
export type EntityWrite = [run: string, key: string, parent: string | null, kind: "s" | "b", location: string, name: string, seq: number | null, data: string];

const MAX_BATCH = 256;
const IN_FLIGHT = 2;

interface Waiting {
  write: EntityWrite;
  doing: string;
  done: (outcome: number) => void;
  fail: (error: unknown) => void;
}

/**
 * Entity writes on their way to the database: writes issued together (in one turn of the event loop's
 * synchronous code: a step's closing write with its branch's, a map's fan-out) go in one call and one
 * transaction, and writes that arrive while earlier ones are on their way go together in the next call:
 * fewer round trips, and a lone write waits only for the end of the code that issued it (a microtask).
 */
export interface WriteBatcher {
  readonly db: Database;
  waiting: Waiting[];
  inFlight: number;
  /** A send is queued as a microtask (it collects every write issued before it runs). */
  queued: boolean;
}

/** A batcher with nothing on its way. */
export function createWriteBatcher(db: Database): WriteBatcher {
  return { db, waiting: [], inFlight: 0, queued: false };
}

/** Sends `write` (with the others issued with it or waiting); resolves with its outcome (0 written, 1 no such run, 2 no parent). */
export function writeEntity(batcher: WriteBatcher, write: EntityWrite, doing: string): Promise<number> {
  return new Promise<number>((done, fail) => {
    batcher.waiting.push({ write, doing, done, fail });
    if (batcher.queued) return;
    batcher.queued = true;
    queueMicrotask(() => {
      batcher.queued = false;
      send(batcher);
    });
  });
}

function call(db: Database, batch: Waiting[]): Promise<number[]> {
  const s = db.schema;
  const first = batch[0]!;
  if (batch.length === 1) {
    return query(db, `SELECT ${s}.runnable_put_entity($1, $2, $3, $4, $5, $6, $7, $8)`, first.write, first.doing, "runnable_put_entity").then(({ rows }) => [
      Number(rows[0]?.[0]),
    ]);
  }
  const writes = `[${batch.map(({ write }) => `${JSON.stringify(write.slice(0, 7)).slice(0, -1)},${write[7]}]`).join(",")}]`;
  return query(db, `SELECT ${s}.runnable_put_entities($1)`, [writes], `write ${batch.length} logs`, "runnable_put_entities").then(({ rows }) =>
    (rows[0]![0] as number[]).map(Number),
  );
}

function send(batcher: WriteBatcher): void {
  while (batcher.inFlight < IN_FLIGHT && batcher.waiting.length > 0) {
    const batch = batcher.waiting.slice(0, MAX_BATCH);
    batcher.waiting = batcher.waiting.slice(batch.length);
    batcher.inFlight++;
    call(batcher.db, batch)
      .then(
        (outcomes) => {
          for (const [index, item] of batch.entries()) item.done(outcomes[index] ?? 0);
        },
        (error: unknown) => {
          for (const item of batch) item.fail(error);
        },
      )
      .finally(() => {
        batcher.inFlight--;
        send(batcher);
      });
  }
}
