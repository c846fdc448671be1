// Job tags as the Submit step takes them: one `key=value` per line.

/** The tags of `text`, or the first line that is not `key=value`. */
export function parseTags(text: string): { tags: [string, string][] } | { error: string } {
  const tags: [string, string][] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i].trim();
    if (!line) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) return { error: `tag line ${i + 1} (${line}): write key=value` };
    const key = line.slice(0, eq).trim();
    if (key.length > 128) return { error: `tag line ${i + 1}: the key is over 128 characters` };
    tags.push([key, line.slice(eq + 1).trim()]);
  }
  return { tags };
}
