// The Suno adapter's media hooks: every media URL of every clip becomes a Taskgate link named `<clip>.<field>`,
// and each link resolves back to the stored upstream URL — nothing else, whatever the stored data holds.
import { describe, expect, it } from 'vitest';
import { sunoAdapter } from '../../src/platforms/suno/adapter.js';

const rewrite = (data: unknown) =>
  sunoAdapter.rewriteMedia!(data, (ref) => `https://tg.example/m/${ref}?sig=s`);
const source = (data: unknown, ref: string, baseUrl = 'http://127.0.0.1:7000') =>
  sunoAdapter.mediaSource!({ upstreamId: 'u', data }, ref, { baseUrl, key: 'secret' });

const clip = (id: string, fields: Record<string, unknown> = {}) => ({
  id,
  status: 'complete',
  audio_url: `https://cdn1.suno.ai/${id}.mp3`,
  video_url: `https://cdn1.suno.ai/${id}.mp4`,
  image_url: `https://cdn2.suno.ai/image_${id}.jpeg`,
  image_large_url: `https://cdn2.suno.ai/image_large_${id}.jpeg`,
  metadata: { tags: 'pop', duration: 61.2 },
  ...fields,
});

describe('rewriteMedia', () => {
  it('replaces the four media URLs of each clip and keeps every other field', () => {
    const data = [clip('a'), clip('b')];
    const out = rewrite(data) as Array<Record<string, unknown>>;
    expect(out).toEqual([
      {
        ...data[0],
        audio_url: 'https://tg.example/m/0.audio_url?sig=s',
        video_url: 'https://tg.example/m/0.video_url?sig=s',
        image_url: 'https://tg.example/m/0.image_url?sig=s',
        image_large_url: 'https://tg.example/m/0.image_large_url?sig=s',
      },
      {
        ...data[1],
        audio_url: 'https://tg.example/m/1.audio_url?sig=s',
        video_url: 'https://tg.example/m/1.video_url?sig=s',
        image_url: 'https://tg.example/m/1.image_url?sig=s',
        image_large_url: 'https://tg.example/m/1.image_large_url?sig=s',
      },
    ]);
    expect(JSON.stringify(out)).not.toContain('suno.ai');
    // The stored data is not touched.
    expect(data[0].audio_url).toBe('https://cdn1.suno.ai/a.mp3');
  });

  it('keeps empty and missing URLs empty, and blanks junk that could carry an address', () => {
    const out = rewrite([
      clip('a', { video_url: '', image_url: null, image_large_url: undefined }),
      clip('b', { audio_url: { href: 'https://cdn1.suno.ai/b.mp3' }, video_url: 7 }),
    ]) as Array<Record<string, unknown>>;
    expect(out[0]).toMatchObject({
      audio_url: 'https://tg.example/m/0.audio_url?sig=s',
      video_url: '',
      image_url: null,
    });
    expect('image_large_url' in out[0] && out[0].image_large_url !== undefined).toBe(false);
    expect(out[1]).toMatchObject({ audio_url: '', video_url: '' });
  });

  it('leaves lyrics, empty data and junk elements alone', () => {
    const lyrics = { id: 'l', status: 'complete', title: 'T', text: 'words' };
    expect(rewrite(lyrics)).toEqual(lyrics);
    expect(rewrite({})).toEqual({});
    expect(rewrite(null)).toBeNull();
    expect(rewrite(['junk', null, 3])).toEqual(['junk', null, 3]);
  });
});

describe('mediaSource', () => {
  const data = [clip('a'), clip('b', { image_url: '/suno-cdn/image_b.png', video_url: '' })];

  it.each([
    ['0.audio_url', 'https://cdn1.suno.ai/a.mp3', 'audio/mpeg'],
    ['0.video_url', 'https://cdn1.suno.ai/a.mp4', 'video/mp4'],
    ['0.image_url', 'https://cdn2.suno.ai/image_a.jpeg', 'image/jpeg'],
    ['1.image_large_url', 'https://cdn2.suno.ai/image_large_b.jpeg', 'image/jpeg'],
  ])('%s resolves to the stored URL with its default type', (ref, url, defaultType) => {
    expect(source(data, ref)).toEqual({ url, defaultType });
  });

  it('reads a relative URL against the channel’s base URL and sends no key', () => {
    expect(source(data, '1.image_url')).toEqual({
      url: 'http://127.0.0.1:7000/suno-cdn/image_b.png',
      defaultType: 'image/jpeg',
    });
  });

  it.each([
    ['an empty URL', '1.video_url'],
    ['a clip that does not exist', '2.audio_url'],
    ['a field that is not media', '0.id'],
    ['a prototype key', '0.constructor'],
    ['a malformed ref', 'audio_url'],
    ['a ref with a path', '0.audio_url/../x'],
  ])('%s has no source', (_name, ref) => {
    expect(source(data, ref)).toBeNull();
  });

  it('has no source for lyrics, junk data or non-HTTP URLs', () => {
    expect(source({ id: 'l', text: 'x' }, '0.audio_url')).toBeNull();
    expect(source('junk', '0.audio_url')).toBeNull();
    expect(source([clip('a', { audio_url: 'file:///etc/passwd' })], '0.audio_url')).toBeNull();
    expect(source([clip('a', { audio_url: 'javascript:alert(1)' })], '0.audio_url')).toBeNull();
    expect(source([clip('a', { audio_url: 42 })], '0.audio_url')).toBeNull();
    expect(source([clip('a', { audio_url: 'not a url' })], '0.audio_url', '')).toBeNull();
  });
});
