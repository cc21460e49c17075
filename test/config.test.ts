import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { parseDsn } from '../src/store/db.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.sqlitePath).toBe('./data/taskgate.db');
    expect(config.sqlDsn).toBeNull();
    expect(config.taskTimeoutMinutes).toBe(1440);
    expect(config.runBackgroundWork).toBe(true);
    expect(config.serverAddress).toBe('http://localhost:3000');
    expect(config.redisUrl).toBeNull();
    expect(config.redisKeyPrefix).toBe('taskgate:');
    expect(config.sqliteSynchronous).toBe('normal');
  });

  it('takes SQLITE_SYNCHRONOUS=full for a sync on every commit', () => {
    expect(loadConfig({ SQLITE_SYNCHRONOUS: 'full' }).sqliteSynchronous).toBe('full');
  });

  it.each([
    ['PORT', 'abc', /invalid PORT/],
    ['PORT', '70000', /invalid PORT/],
    ['TASK_TIMEOUT_MINUTES', '-1', /invalid TASK_TIMEOUT_MINUTES/],
    ['UPDATE_TASK', 'maybe', /invalid UPDATE_TASK/],
    ['NODE_TYPE', 'worker', /invalid NODE_TYPE/],
    ['SERVER_ADDRESS', 'not a url', /invalid SERVER_ADDRESS/],
    ['REDIS_CONN_STRING', 'http://x', /invalid REDIS_CONN_STRING/],
    ['REDIS_KEY_PREFIX', 'has space', /invalid REDIS_KEY_PREFIX/],
    ['LOG_LEVEL', 'loud', /invalid LOG_LEVEL/],
    ['SQLITE_SYNCHRONOUS', 'off', /invalid SQLITE_SYNCHRONOUS: expected one of normal, full/],
    ['SESSION_SECRET', 'short', /invalid SESSION_SECRET/],
    ['INITIAL_ROOT_TOKEN', 'not-a-key', /invalid INITIAL_ROOT_TOKEN/],
  ])('refuses %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('turns background work off for slave nodes and UPDATE_TASK=false', () => {
    expect(loadConfig({ NODE_TYPE: 'slave' }).runBackgroundWork).toBe(false);
    expect(loadConfig({ UPDATE_TASK: 'false' }).runBackgroundWork).toBe(false);
  });

  it('reads every SQL_DSN form new-api accepts', () => {
    expect(parseDsn(null, './x.db')).toEqual({ dialect: 'sqlite', location: './x.db' });
    expect(parseDsn('postgres://u:p@h:5432/db', '')).toEqual({
      dialect: 'postgres',
      location: 'postgres://u:p@h:5432/db',
    });
    expect(parseDsn('mysql://u@h:3306/db', '')).toEqual({
      dialect: 'mysql',
      location: 'mysql://u@h:3306/db',
    });
    expect(parseDsn('root:p@ss@tcp(127.0.0.1:3306)/newapi?parseTime=true', '')).toEqual({
      dialect: 'mysql',
      location: 'mysql://root:p%40ss@127.0.0.1:3306/newapi',
    });
    expect(() => parseDsn('oracle://x', '')).toThrow(/SQL_DSN/);
  });
});
