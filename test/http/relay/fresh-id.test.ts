import { describe, expect, it } from 'vitest';
import { submitWithFreshId } from '../../../src/http/relay/mj/submit-routes.js';

const clash = Object.assign(new Error('duplicate'), { code: '23505' });

describe('submitting under a fresh public id', () => {
  it('tries the next id when the database says the id is taken, and gives up after five', async () => {
    const tried: string[] = [];
    let n = 0;
    const result = await submitWithFreshId(
      async (id) => {
        tried.push(id);
        if (tried.length < 3) throw clash;
        return `ok ${id}`;
      },
      null,
      () => `id-${++n}`,
    );
    expect(result).toBe('ok id-3');
    expect(tried).toEqual(['id-1', 'id-2', 'id-3']);
    await expect(
      submitWithFreshId(
        async () => Promise.reject(clash),
        null,
        () => 'x',
      ),
    ).rejects.toBe(clash);
  });

  it('never changes the id of a continued task, and passes other errors through', async () => {
    const seen: string[] = [];
    await expect(
      submitWithFreshId(
        async (id) => {
          seen.push(id);
          throw clash;
        },
        'fixed',
        () => 'new',
      ),
    ).rejects.toBe(clash);
    expect(seen).toEqual(['fixed']);
    const other = new Error('upstream down');
    await expect(
      submitWithFreshId(
        async () => Promise.reject(other),
        null,
        () => 'x',
      ),
    ).rejects.toBe(other);
  });
});
