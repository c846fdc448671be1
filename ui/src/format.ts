// Counts in words: "1 row", "2 rows", "1,000,000 rows".

/** `n` and the noun, singular for exactly one. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? noun : plural}`;
}
