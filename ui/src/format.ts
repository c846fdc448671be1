// Figures in words: counts ("1 row", "2 rows", "1,000,000 rows") and dollars.

/** `n` with a comma between each group of three digits ("1,000,000"), whatever locale the webview has. */
export function grouped(n: number): string {
  const [whole, fraction] = String(Math.abs(n)).split(".");
  const digits = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${n < 0 ? "-" : ""}${digits}${fraction ? `.${fraction}` : ""}`;
}

/** `n` and the noun, singular for exactly one. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${grouped(n)} ${n === 1 ? noun : plural}`;
}

/** US dollars, with cents (or more digits below a cent). */
export function usd(amount: number | null | undefined): string {
  if (amount === null || amount === undefined) return "—";
  return amount >= 0.01 || amount === 0 ? `$${amount.toFixed(2)}` : `$${amount.toPrecision(2)}`;
}
