// TASK_TIMEOUT_MINUTES is only the default of the TaskTimeoutMinutes option: the dashboard shows it until an
// admin saves a value, and the saved value survives a restart with the variable still set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/databases.js';

for (const backend of backends()) {
  describe.skipIf(!backend.available)(`TASK_TIMEOUT_MINUTES seeds the option [${backend.dialect}]`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(backend.dialect, { TASK_TIMEOUT_MINUTES: '7' });
    });
    afterAll(async () => t?.close());

    const shown = async () => {
      const res = await t.request('GET', '/api/option/', { as: t.root });
      expect(res.status).toBe(200);
      return (res.body.data as Array<{ key: string; value: string }>).find(
        (o) => o.key === 'TaskTimeoutMinutes',
      )?.value;
    };

    it('shows the variable until an admin saves a value, which then wins across a restart', async () => {
      expect(await shown()).toBe('7');
      expect(t.ctx.options.get('TaskTimeoutMinutes')).toBe(7);
      const put = await t.request('PUT', '/api/option/', {
        as: t.root,
        body: { key: 'TaskTimeoutMinutes', value: '30' },
      });
      expect(put.status).toBe(200);
      await t.reopen();
      expect(await shown()).toBe('30');
      expect(t.ctx.options.get('TaskTimeoutMinutes')).toBe(30);
    });
  });
}
