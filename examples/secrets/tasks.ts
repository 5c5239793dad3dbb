import { getSecret, track } from "runnable-ts";

/** Reads a secret through the in-task API; even if printed or tracked, it is masked in every record. */
export async function useSecret(): Promise<{ secret_length: number }> {
  const value = await getSecret("kv_style");
  console.log(`kv_style is ${value}`);
  track({ oops: value });
  return { secret_length: value.length };
}
