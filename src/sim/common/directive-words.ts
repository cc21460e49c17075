// The `sim:` words of a prompt, in the grammar the midjourney-proxy simulator uses:
// `sim:name`, `sim:name=value` or `sim:name@value`, where a value may be double-quoted to hold spaces.

export interface DirectiveWord {
  name: string;
  value: string | undefined;
}

const DIRECTIVE = /(?:^|\s)sim:([a-z]+)(?:[=@]("[^"]*"|\S*))?/gi;

/** Every directive in the given texts, in order (non-strings are skipped). */
export function directiveWords(...texts: unknown[]): DirectiveWord[] {
  const words: DirectiveWord[] = [];
  for (const text of texts) {
    if (typeof text !== 'string') continue;
    for (const match of text.matchAll(DIRECTIVE)) {
      const raw = match[2];
      words.push({ name: match[1].toLowerCase(), value: raw?.startsWith('"') ? raw.slice(1, -1) : raw });
    }
  }
  return words;
}

/** A value that is a whole number, or null. */
export function wholeNumber(text: string | undefined): number | null {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
}
