/** Runs tasks one after another per key (tasks of different keys run concurrently). */
export interface KeyedQueue {
  /** Runs `task` after every task queued earlier under `key`; resolves or rejects as the task does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/** A queue serialising work per key with promise chains; idle keys are forgotten. */
export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<void>>();
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(task);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
  };
}
