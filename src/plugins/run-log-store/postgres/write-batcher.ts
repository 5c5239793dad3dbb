import type { Database } from "./database.js";

/** One entity write: the arguments of runnable_put_entity. */
export type EntityWrite = [run: string, key: string, parent: string | null, kind: "s" | "b", location: string, name: string, seq: number | null, data: string];

const MAX_BATCH = 256;
const IN_FLIGHT = 2;

/**
 * Sends entity writes to the database, one call for each write when they come one at a time, and
 * writes that arrive while earlier ones are on their way together in one call (a map's fan-out, the
 * branches of a parallel walk): fewer round trips, never a delay for a lone write.
 */
export function createWriteBatcher(db: Database): (write: EntityWrite, doing: string) => Promise<number> {
  const s = db.schema;
  let waiting: { write: EntityWrite; doing: string; done: (outcome: number) => void; fail: (error: unknown) => void }[] = [];
  let inFlight = 0;

  const send = (): void => {
    while (inFlight < IN_FLIGHT && waiting.length > 0) {
      const batch = waiting.slice(0, MAX_BATCH);
      waiting = waiting.slice(batch.length);
      inFlight++;
      const call =
        batch.length === 1
          ? db
              .query(`SELECT ${s}.runnable_put_entity($1, $2, $3, $4, $5, $6, $7, $8)`, batch[0]!.write, batch[0]!.doing, "runnable_put_entity")
              .then(({ rows }) => [Number(rows[0]?.[0])])
          : db
              .query(
                `SELECT ${s}.runnable_put_entities($1)`,
                [`[${batch.map(({ write }) => `${JSON.stringify(write.slice(0, 7)).slice(0, -1)},${write[7]}]`).join(",")}]`],
                `write ${batch.length} logs`,
                "runnable_put_entities",
              )
              .then(({ rows }) => (rows[0]![0] as number[]).map(Number));
      call
        .then(
          (outcomes) => {
            for (const [index, item] of batch.entries()) item.done(outcomes[index] ?? 0);
          },
          (error: unknown) => {
            for (const item of batch) item.fail(error);
          },
        )
        .finally(() => {
          inFlight--;
          send();
        });
    }
  };

  return (write, doing) =>
    new Promise<number>((done, fail) => {
      waiting.push({ write, doing, done, fail });
      send();
    });
}
