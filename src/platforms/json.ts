// Defensive readers for upstream JSON: whatever arrives (HTML, truncated JSON, wrong types), they return typed
// values or a clear failure, never throw.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function parseJsonText(text: string): { ok: true; value: JsonValue } | { ok: false; error: string } {
  if (!text.trim()) return { ok: false, error: 'empty body' };
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch {
    const start = text.trimStart().slice(0, 40).replace(/\s+/g, ' ');
    return {
      ok: false,
      error: start.startsWith('<') ? `HTML instead of JSON: ${start}` : `not JSON: ${start}`,
    };
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string field; numbers are accepted as their text (ids often arrive as numbers). */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A non-negative time in milliseconds; seconds are scaled up, junk is dropped. */
export function timeMs(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return undefined;
  return n < 100_000_000_000 ? Math.round(n * 1000) : Math.round(n);
}

export function stringArray(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: string[] = [];
  for (const item of v) {
    const s = str(item) ?? (isObject(item) ? str(item.url) : undefined);
    if (s) out.push(s);
  }
  return out;
}

/** The longest upstream id Taskgate keeps (the `upstream_id` column); a longer one is an unreadable answer. */
export const MAX_UPSTREAM_ID = 191;

/** Cuts text an upstream sends before it goes into a column or a message. */
export const clip = (text: string, max = 2000): string =>
  text.length > max ? `${text.slice(0, max)}…` : text;
