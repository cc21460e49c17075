// An API key's group (docs/api.md, "API keys"): a user may give a key no group or their own; only admins name
// others. The rule holds at creation and at every use, so a key stored with another group (before the rule, or
// since its user moved) reaches neither that group's channels nor its prices: 403 in each surface's envelope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/core/roles.js';
import { type MjWorld, startMjWorld } from '../support/mj-world.js';

describe('API key groups', () => {
  let w: MjWorld;
  beforeAll(async () => {
    // The only channel serves vip, and vip pays a hundredth of the default price: worth escalating to.
    w = await startMjWorld('sqlite', { channel: { group: 'vip' } });
    const ratio = await w.t.request('PUT', '/api/option/', {
      as: w.t.root,
      body: { key: 'GroupRatio', value: '{"default":1,"vip":0.01}' },
    });
    expect(ratio.status).toBe(200);
  });
  afterAll(async () => w?.close());

  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  it("a user may create and edit keys with no group or their own, and neither with another's (403)", async () => {
    const user = await w.t.createUser();
    const create = (group?: string) =>
      w.t.request('POST', '/api/token/', { as: user, body: { name: 'k', unlimited_quota: true, group } });
    expect((await create()).status).toBe(200);
    expect((await create('')).status).toBe(200);
    expect((await create('default')).status).toBe(200);

    const refused = await create('vip');
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ success: false, message: 'This user may not use group vip' });
    expect((await w.t.request('GET', '/api/token/', { as: user })).body.data.total).toBe(3);

    const { id } = (await create()).body.data;
    const edit = (group: string) => w.t.request('PUT', '/api/token/', { as: user, body: { id, group } });
    expect((await edit('vip')).status).toBe(403);
    expect((await w.t.request('GET', `/api/token/${id}`, { as: user })).body.data.group).toBe('');
    expect((await edit('default')).status).toBe(200);
  });

  it('an admin may give their own keys any group, and use them', async () => {
    const admin = await w.t.createUser({ role: Role.admin, quota: 1_000_000 });
    const created = await w.t.request('POST', '/api/token/', {
      as: admin,
      body: { name: 'vip key', unlimited_quota: true, group: 'vip' },
    });
    expect(created.status, created.text).toBe(200);
    const models = await w.t.request('GET', '/v1/models', { headers: bearer(created.body.data.key) });
    expect(models.body.data.map((m: { id: string }) => m.id)).toContain('mj_imagine');
    const submitted = await w.submit('/mj/submit/imagine', { prompt: 'a cat' }, created.body.data.key);
    expect(submitted.body.code, submitted.text).toBe(1);
  });

  it('a key stored with a group its user may not use is refused at use, charging nothing', async () => {
    // Written to the store directly, as a key made before the rule would be.
    const { key } = await w.t.createKey(w.user, { group: 'vip' });
    const before = await w.balance();
    const tasksBefore = w.sim.state.tasks.size;

    const mj = await w.submit('/mj/submit/imagine', { prompt: 'a cat' }, key);
    expect(mj.status).toBe(403);
    expect(mj.body).toEqual({ code: 4, description: 'This user may not use group vip', result: null });
    const suno = await w.t.request('POST', '/suno/submit/music', {
      body: { prompt: 'a song' },
      headers: bearer(key),
    });
    expect(suno.status).toBe(403);
    expect(suno.body).toMatchObject({ code: 'token_group_not_allowed', data: null });
    const models = await w.t.request('GET', '/v1/models', { headers: bearer(key) });
    expect(models.status).toBe(403);
    expect(models.body.error).toMatchObject({
      code: 'token_group_not_allowed',
      type: 'invalid_request_error',
    });

    expect(w.sim.state.tasks.size).toBe(tasksBefore);
    expect(await w.balance()).toEqual(before);
  });

  it('a key of a user moved out of its group stops working in it', async () => {
    const user = await w.t.createUser({ group: 'vip', quota: 1_000_000 });
    const created = await w.t.request('POST', '/api/token/', {
      as: user,
      body: { name: 'vip key', unlimited_quota: true, group: 'vip' },
    });
    expect(created.status, created.text).toBe(200);
    const key = created.body.data.key;
    expect((await w.t.request('GET', '/v1/models', { headers: bearer(key) })).status).toBe(200);

    const moved = await w.t.request('PUT', '/api/user/', {
      as: w.t.root,
      body: { id: user.id, group: 'default' },
    });
    expect(moved.status).toBe(200);
    expect((await w.t.request('GET', '/v1/models', { headers: bearer(key) })).status).toBe(403);
    expect((await w.submit('/mj/submit/imagine', { prompt: 'a cat' }, key)).status).toBe(403);
  });
});
