// Figures in words: counts ("1 row", "2 rows", "1,000,000 rows") and dollars.

/** `n` and the noun, singular for exactly one. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? noun : plural}`;
}

/** US dollars, with cents (or more digits below a cent). */
export function usd(amount: number | null | undefined): string {
  if (amount === null || amount === undefined) return "—";
  return amount >= 0.01 || amount === 0 ? `$${amount.toFixed(2)}` : `$${amount.toPrecision(2)}`;
}
