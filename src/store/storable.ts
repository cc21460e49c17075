// What every engine can store in a task's columns. Upstream answers end up in them, and a hostile or buggy
// upstream can send what one engine refuses: U+0000 (PostgreSQL's text cannot hold it), a lone surrogate, or a
// string longer than MySQL's `text` (65,535 bytes). One refused row rolls back the whole batch it is written in,
// so values are made storable before they are written, on every engine alike.
import type { TaskPatch } from './schema.js';

/** MySQL `text` holds 65,535 bytes; a UTF-16 unit takes at most 3 bytes in UTF-8. */
const TEXT = 20_000;
/** MySQL `mediumtext` holds 16 MiB. */
const LONG_TEXT = 4_000_000;

type Rule = { max: number; tooLong: 'clip' | 'skip' };

/** Text is cut; a URL or JSON cut short would be garbage, so an oversized one is not written at all. */
const RULES: Partial<Record<keyof TaskPatch, Rule>> = {
  progress: { max: 20, tooLong: 'clip' },
  fail_reason: { max: TEXT, tooLong: 'clip' },
  description: { max: TEXT, tooLong: 'clip' },
  state: { max: TEXT, tooLong: 'clip' },
  notify_hook: { max: TEXT, tooLong: 'skip' },
  image_url: { max: TEXT, tooLong: 'skip' },
  video_url: { max: TEXT, tooLong: 'skip' },
  video_urls: { max: TEXT, tooLong: 'skip' },
  buttons: { max: TEXT, tooLong: 'skip' },
  prompt: { max: LONG_TEXT, tooLong: 'clip' },
  prompt_en: { max: LONG_TEXT, tooLong: 'clip' },
  properties: { max: LONG_TEXT, tooLong: 'skip' },
  data: { max: LONG_TEXT, tooLong: 'skip' },
};

/** Node 20 has these (ES2024); the project's TypeScript lib is ES2023. */
type Es2024String = string & { isWellFormed(): boolean; toWellFormed(): string };

/** `text` without NUL characters or lone surrogates (each becomes U+FFFD, as PostgreSQL's driver does). */
export function storableText(text: string): string {
  const s = text as Es2024String;
  const whole = s.isWellFormed() ? text : s.toWellFormed();
  return whole.includes('\u0000') ? whole.replaceAll('\u0000', '\uFFFD') : whole;
}

/** `patch` with every text value storable on every engine; the same object when nothing needed a change. */
export function storablePatch(patch: TaskPatch): TaskPatch {
  let out: TaskPatch | null = null;
  for (const key in patch) {
    const value = patch[key as keyof TaskPatch];
    const rule = RULES[key as keyof TaskPatch];
    if (typeof value !== 'string' || !rule) continue;
    let text = storableText(value);
    if (text.length > rule.max) {
      if (rule.tooLong === 'skip') {
        out ??= { ...patch };
        delete out[key as keyof TaskPatch];
        continue;
      }
      text = rule.max > 100 ? `${text.slice(0, rule.max - 1)}…` : text.slice(0, rule.max);
    }
    if (text !== value) {
      out ??= { ...patch };
      (out as Record<string, unknown>)[key] = text;
    }
  }
  return out ?? patch;
}
