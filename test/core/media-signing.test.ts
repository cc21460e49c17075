// Signed media URLs are kept per expiry window (media-signing.ts): a kept URL must be the one a fresh signature
// gives, never outlive its window, and never cross secrets or servers.
import { expect, it } from 'vitest';
import { MEDIA_URL_TTL_MS, signedMediaUrl, verifyMediaSignature } from '../../src/core/media-signing.js';

const HOUR = 3_600_000;
const T = 1_760_000_000_000;
const parts = (url: string) => {
  const parsed = new URL(url);
  return {
    exp: parsed.searchParams.get('exp')!,
    sig: parsed.searchParams.get('sig')!,
    origin: parsed.origin,
  };
};

it('hands out the same valid URL within a window, and a new one with a later expiry in the next', () => {
  const first = signedMediaUrl('http://a.test', 'secret-1', '/mj/image/t1', T);
  expect(signedMediaUrl('http://a.test', 'secret-1', '/mj/image/t1', T + 1)).toBe(first);
  const { exp, sig } = parts(first);
  expect(Number(exp) * 1000).toBeGreaterThanOrEqual(T + MEDIA_URL_TTL_MS);
  expect(verifyMediaSignature('secret-1', '/mj/image/t1', exp, sig, T)).toBe(true);

  const later = parts(signedMediaUrl('http://a.test', 'secret-1', '/mj/image/t1', T + HOUR));
  expect(Number(later.exp)).toBe(Number(exp) + HOUR / 1000);
  expect(verifyMediaSignature('secret-1', '/mj/image/t1', later.exp, later.sig, T + HOUR)).toBe(true);
  // The earlier URL still ends when its own window does.
  expect(verifyMediaSignature('secret-1', '/mj/image/t1', exp, sig, Number(exp) * 1000 + 1)).toBe(false);
});

it('keeps secrets, servers and paths apart', () => {
  const a = parts(signedMediaUrl('http://a.test', 'secret-1', '/mj/image/t2', T));
  const b = parts(signedMediaUrl('http://a.test', 'secret-2', '/mj/image/t2', T));
  expect(b.sig).not.toBe(a.sig);
  expect(verifyMediaSignature('secret-2', '/mj/image/t2', b.exp, b.sig, T)).toBe(true);
  expect(parts(signedMediaUrl('http://b.test', 'secret-1', '/mj/image/t2', T)).origin).toBe('http://b.test');
  const other = parts(signedMediaUrl('http://a.test', 'secret-1', '/mj/image/t3', T));
  expect(verifyMediaSignature('secret-1', '/mj/image/t2', other.exp, other.sig, T)).toBe(false);
});

it('versions a URL by the file it serves: a new file is a new URL, and the version is signed', () => {
  const preview = signedMediaUrl(
    'http://a.test',
    'secret-1',
    '/mj/image/t4',
    T,
    'https://cdn.test/preview.webp',
  );
  const final = signedMediaUrl('http://a.test', 'secret-1', '/mj/image/t4', T, 'https://cdn.test/final.png');
  expect(final).not.toBe(preview);
  const query = (url: string) => new URL(url).searchParams;
  const [p, f] = [query(preview), query(final)];
  expect(f.get('v')).toMatch(/^[\w-]{12}$/);
  const check = (q: URLSearchParams, v: string | null) =>
    verifyMediaSignature('secret-1', '/mj/image/t4', q.get('exp')!, q.get('sig')!, T, v ?? undefined);
  expect(check(f, f.get('v'))).toBe(true);
  expect(check(f, p.get('v'))).toBe(false);
  expect(check(f, null)).toBe(false);
  // A URL without a version (handed out before versions) still verifies as it was signed.
  const plain = query(signedMediaUrl('http://a.test', 'secret-1', '/mj/image/t4', T));
  expect(plain.get('v')).toBeNull();
  expect(check(plain, null)).toBe(true);
});
