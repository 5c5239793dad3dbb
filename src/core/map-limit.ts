/** Runs `work` over `items` with at most `limit` running at once; results keep the items' order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Lets at most a fixed number of tasks run at once (first come, first served). */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
}

/** A limiter admitting `limit` tasks at once; the others wait in a queue. */
export function createLimiter(limit: number): Limiter {
  const waiting: Array<() => void> = [];
  let head = 0;
  let running = 0;
  const release = (): void => {
    running--;
    if (head < waiting.length) {
      running++;
      const wake = waiting[head++]!;
      if (head > 1024 && head * 2 > waiting.length) {
        // drop woken entries now and then, so a long queue is not kept alive
        waiting.splice(0, head);
        head = 0;
      }
      wake();
    }
  };
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running < limit) running++;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
