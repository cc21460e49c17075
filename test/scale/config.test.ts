// The scale-out settings: pool size, poll tuning, instance names, and both SQL_DSN forms.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { pollerSettingsFrom } from '../../src/engine/poller-settings.js';
import { parseDsn } from '../../src/store/db.js';
import { DEFAULT_SCHEDULE } from '../../src/store/task-leases.js';

describe('scale-out configuration', () => {
  it('reads the pool size, poll tuning and shutdown wait, and keeps the defaults when unset', () => {
    const defaults = loadConfig({});
    expect(defaults.sqlMaxOpenConns).toBe(10);
    expect(pollerSettingsFrom(defaults.poll)).toEqual({});
    const tuned = loadConfig({
      SQL_MAX_OPEN_CONNS: '25',
      POLL_INTERVAL_MS: '1000',
      POLL_LEASE_MS: '1500',
      POLL_IDLE_MS: '100',
      POLL_TIMEOUT_MS: '2000',
      POLL_VANISH_GRACE_MS: '0',
      JOB_INTERVAL_MS: '500',
      SHUTDOWN_WAIT_MS: '300',
    });
    expect(tuned).toMatchObject({ sqlMaxOpenConns: 25, jobIntervalMs: 500, shutdownWaitMs: 300 });
    expect(pollerSettingsFrom(tuned.poll)).toEqual({
      idleDelayMs: 100,
      pollTimeoutMs: 2000,
      vanishGraceMs: 0,
      schedule: { leaseMs: 1500, steps: [], slowestMs: 1000 },
    });
    expect(pollerSettingsFrom(loadConfig({ POLL_LEASE_MS: '5000' }).poll).schedule).toEqual({
      ...DEFAULT_SCHEDULE,
      leaseMs: 5000,
    });
  });

  it('refuses bad values with one line naming the variable', () => {
    expect(() => loadConfig({ SQL_MAX_OPEN_CONNS: '0' })).toThrow(/^invalid SQL_MAX_OPEN_CONNS/);
    expect(() => loadConfig({ POLL_LEASE_MS: 'soon' })).toThrow(/^invalid POLL_LEASE_MS/);
    expect(() => loadConfig({ INSTANCE_ID: 'has spaces' })).toThrow(/^invalid INSTANCE_ID/);
    expect(() => loadConfig({ INSTANCE_ID: 'x'.repeat(41) })).toThrow(/^invalid INSTANCE_ID/);
    expect(loadConfig({ INSTANCE_ID: 'web-1.eu' }).instanceId).toBe('web-1.eu');
  });

  it("accepts new-api's Go DSN as well as URLs", () => {
    expect(parseDsn('root:p@ss@tcp(127.0.0.1:3306)/taskgate?parseTime=true', '')).toEqual({
      dialect: 'mysql',
      location: 'mysql://root:p%40ss@127.0.0.1:3306/taskgate',
    });
    expect(parseDsn('postgres://u:p@db:5432/tg', '').dialect).toBe('postgres');
    expect(parseDsn('mysql://u:p@db:3306/tg', '').dialect).toBe('mysql');
  });
});
