// An account out of credit is the channel's fault, not the request's: Suno-API's 402 counts toward auto-disable
// like a refused key, its submits charge nothing, and an admin's re-enable puts the channel back in service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChannel } from '../../src/store/channels.js';
import { backends } from '../support/databases.js';
import { type SunoWorld, startSunoWorld } from '../support/suno-world.js';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`suno channel health [${backend.dialect}]`, () => {
    let w: SunoWorld;
    beforeAll(async () => {
      w = await startSunoWorld(backend.dialect);
      await w.t.ctx.options.set('ChannelAutoBanThreshold', '3');
    });
    afterAll(async () => w?.close());

    const channel = async () => (await findChannel(w.t.ctx.store, w.channelId))!;

    it('three 402s (no credits) auto-disable the channel with the reason, and charge nothing', async () => {
      const before = await w.balance();
      for (let i = 1; i <= 3; i++) {
        const answer = await w.submit('music', { prompt: `no credits ${i} sim:fault=402` });
        expect(answer.status, answer.text).toBe(502);
        expect(answer.body).toMatchObject({ code: 'fail_to_fetch_task', data: null });
        if (i < 3) expect(await channel()).toMatchObject({ status: 1, failure_count: i });
      }
      const disabled = await channel();
      expect(disabled.status).toBe(3);
      expect(disabled.status_reason).toContain('after 3 consecutive');
      expect(disabled.status_reason).toContain('no credits (HTTP 402)');
      const none = await w.submit('music', { prompt: 'nowhere to go' });
      expect(none.status, none.text).toBe(503);
      expect(await w.balance()).toEqual({ ...before, ledger: before.quota });

      const enabled = await w.t.request('PUT', '/api/channel/', {
        as: w.t.root,
        body: { id: w.channelId, status: 1 },
      });
      expect(enabled.body.data).toMatchObject({ status: 1, status_reason: '' });
      const served = await w.submit('music', { prompt: 'credits again' });
      expect(served.body, served.text).toMatchObject({ code: 'success' });
      expect(await channel()).toMatchObject({ status: 1, failure_count: 0 });
    });
  });
}
