// How times, durations, progress and quota read on every page.

export function formatTime(seconds: number): string {
  if (!seconds) return '—';
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDuration(start: number, end: number): string {
  if (!start || !end || end < start) return 'N/A';
  return `${(end - start).toFixed(1)} s`;
}

/** A duration, in red past a minute (as new-api shows slow tasks). */
export function Duration({ start, end }: { start: number; end: number }) {
  const slow = start > 0 && end - start > 60;
  return <span className={slow ? 'tg-slow' : undefined}>{formatDuration(start, end)}</span>;
}

/** Quota units per US dollar (as in new-api). */
export const QUOTA_PER_USD = 500_000;

export function formatQuota(quota: number): string {
  return `$${(quota / QUOTA_PER_USD).toFixed(4)}`;
}

export function percentOf(progress: string): number {
  const n = Number.parseFloat(progress);
  return Number.isFinite(n) ? Math.max(0, Math.min(100, n)) : 0;
}
