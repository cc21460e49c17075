// Which channels a submit may use, and in what order: enabled ones of the platform that list the caller's group
// and the model, the highest priority first, heavier channels first more often within a priority. The lists are
// parsed when the channels are read, so a change is seen after an invalidation or the cache time, not before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { ChannelStatus } from '../../src/core/roles.js';
import { ChannelDirectory } from '../../src/engine/channels.js';
import { createChannel, newChannelValues, updateChannel } from '../../src/store/channels.js';
import type { Store } from '../../src/store/db.js';
import { createTestStore } from '../support/databases.js';

describe('ChannelDirectory.candidates', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  let store: Store;
  let dispose: () => Promise<void>;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    ({ store, dispose } = await createTestStore('sqlite'));
    const add = async (name: string, values: Record<string, unknown>) => {
      ids[name] = await createChannel(
        store,
        newChannelValues({
          type: 'midjourney-plus',
          name,
          base_url: `http://${name}.example`,
          models: 'mj_imagine, mj_upscale',
          ...values,
        }),
        clock.now(),
      );
    };
    await add('top', { priority: 10, group: 'default, vip' });
    await add('heavy', { priority: 5, weight: 30 });
    await add('light', { priority: 5, weight: 0 });
    await add('vip-only', { priority: 20, group: 'vip' });
    await add('disabled', { priority: 30, status: ChannelStatus.manuallyDisabled });
    await add('other-model', { priority: 30, models: 'mj_describe' });
    await add('suno', { priority: 30, type: 'suno', models: 'mj_imagine' });
  });
  afterAll(async () => dispose?.());

  const names = (rows: Array<{ id: number }>) =>
    rows.map((row) => Object.keys(ids).find((name) => ids[name] === row.id));

  it('keeps the enabled channels of the platform, group and model, the highest priority first', async () => {
    const directory = new ChannelDirectory(store, clock);
    const defaults = names(await directory.candidates('midjourney', 'default', 'mj_imagine'));
    expect(defaults[0]).toBe('top');
    expect(new Set(defaults.slice(1))).toEqual(new Set(['heavy', 'light']));
    expect(names(await directory.candidates('midjourney', 'vip', 'mj_upscale'))).toEqual(['vip-only', 'top']);
    expect(await directory.candidates('midjourney', 'default', 'mj_blend')).toEqual([]);
    expect(await directory.candidates('midjourney', 'nobody', 'mj_imagine')).toEqual([]);
  });

  it('puts the heavier channel of a tier first more often', async () => {
    const directory = new ChannelDirectory(store, clock);
    let heavyFirst = 0;
    for (let i = 0; i < 400; i++) {
      const order = names(await directory.candidates('midjourney', 'default', 'mj_imagine'));
      if (order[1] === 'heavy') heavyFirst++;
    }
    // Weights 30 and 0 count as 31 and 1: heavy leads about 97% of the time, light still gets a turn.
    expect(heavyFirst).toBeGreaterThan(340);
    expect(heavyFirst).toBeLessThan(400);
  });

  it('sees an edited model list after an invalidation, not before the cache time', async () => {
    const directory = new ChannelDirectory(store, clock);
    expect(names(await directory.candidates('midjourney', 'default', 'mj_shorten'))).toEqual([]);
    await updateChannel(store, ids.light, { models: 'mj_shorten' }, clock.now());
    expect(names(await directory.candidates('midjourney', 'default', 'mj_shorten'))).toEqual([]);
    directory.invalidate();
    expect(names(await directory.candidates('midjourney', 'default', 'mj_shorten'))).toEqual(['light']);
    await updateChannel(store, ids.light, { models: 'mj_imagine' }, clock.now());
    clock.advance(2_001);
    expect(names(await directory.candidates('midjourney', 'default', 'mj_shorten'))).toEqual([]);
  });
});
