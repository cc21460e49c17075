// Configuration from environment variables (new-api's names where they exist).
// A bad value stops start-up with one line that names the variable.
import { randomBytes } from 'node:crypto';
import type { SqliteSynchronous } from './store/db.js';

export interface Config {
  port: number;
  host: string;
  sqlitePath: string;
  sqlDsn: string | null;
  /** When an SQLite commit reaches the disk (store/db.ts). */
  sqliteSynchronous: SqliteSynchronous;
  redisUrl: string | null;
  /** Prepended to every Redis key and pub/sub channel, so deployments (or test files) can share one Redis. */
  redisKeyPrefix: string;
  /** Null: use the secret generated once and kept in the database. */
  sessionSecret: string | null;
  serverAddress: string;
  runBackgroundWork: boolean;
  /** The default of the TaskTimeoutMinutes option (an admin's saved value wins). */
  taskTimeoutMinutes: number;
  initialRootPassword: string | null;
  initialRootAccessToken: string | null;
  initialRootToken: string | null;
  logLevel: string;
  instanceId: string;
  /** Proxies whose X-Forwarded-For is believed (addresses or CIDRs); none by default, so clients cannot spoof IPs. */
  trustedProxies: string[];
  /** Connections per database pool (new-api's SQL_MAX_OPEN_CONNS). */
  sqlMaxOpenConns: number;
  /** Poll tuning; null keeps the built-in schedule (15 s lease, 15–60 s intervals). */
  poll: PollTuning;
  /** How often singleton jobs (orphan sweep, session cleanup) are tried, in ms. */
  jobIntervalMs: number;
  /** How long SIGTERM waits for the poll round in hand before releasing its leases, in ms. */
  shutdownWaitMs: number;
}

export interface PollTuning {
  intervalMs: number | null;
  leaseMs: number | null;
  idleMs: number | null;
  timeoutMs: number | null;
  vanishGraceMs: number | null;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`invalid ${name}: expected an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`invalid ${name}: expected true or false, got '${env[name]}'`);
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!allowed.includes(raw as T))
    throw new ConfigError(`invalid ${name}: expected one of ${allowed.join(', ')}, got '${raw}'`);
  return raw as T;
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`invalid ${name}: not a URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`invalid ${name}: expected a ${protocols.join(' or ')} URL`);
  }
  return raw.replace(/\/+$/, '');
}

/** Go's MySQL DSN, which new-api takes: `user:pass@tcp(host:port)/db`. */
export const GO_MYSQL_DSN = /^([^:@/]*)(?::(.*))?@tcp\(([^)]+)\)\/([^?]+)(?:\?.*)?$/;

/**
 * Refuses a database address that cannot work, before anything connects (a driver would fail later with a stack
 * trace, or a missing MySQL database name only at the first query). The messages never repeat the value: it
 * holds a password.
 */
export function checkDsn(raw: string, name = 'SQL_DSN'): void {
  const bad = (problem: string) => new ConfigError(`invalid ${name}: ${problem}`);
  if (raw.startsWith('sqlite:')) {
    if (raw === 'sqlite:') throw bad('no file after sqlite:');
    return;
  }
  if (/^(postgres(ql)?|mysql):\/\//.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw bad('not a URL (is the port a number? special characters in the password need percent-encoding)');
    }
    if (!url.hostname) throw bad('no host');
    try {
      decodeURIComponent(url.username);
      decodeURIComponent(url.password);
    } catch {
      throw bad('the user name or password is not valid percent-encoding (write a % as %25)');
    }
    if (url.protocol === 'mysql:' && url.pathname.replace(/^\//, '') === '') {
      throw bad('no database name (mysql://user:pass@host:3306/taskgate)');
    }
    return;
  }
  if (GO_MYSQL_DSN.test(raw)) return;
  throw bad('expected postgres://…, mysql://…, sqlite:<file> or user:pass@tcp(host:port)/db');
}

function dsn(env: Env, name: string): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  checkDsn(raw, name);
  return raw;
}

function secret(env: Env, name: string, minLength: number): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  if (raw.length < minLength)
    throw new ConfigError(`invalid ${name}: must be at least ${minLength} characters`);
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const port = int(env, 'PORT', 3000, 0, 65535);
  const nodeType = oneOf(env, 'NODE_TYPE', 'master', ['master', 'slave']);
  const serverAddress = url(env, 'SERVER_ADDRESS', ['http:', 'https:']) ?? `http://localhost:${port}`;
  return {
    port,
    host: env.HOST || '0.0.0.0',
    sqlitePath: env.SQLITE_PATH || './data/taskgate.db',
    sqlDsn: dsn(env, 'SQL_DSN'),
    sqliteSynchronous: oneOf(env, 'SQLITE_SYNCHRONOUS', 'normal', ['normal', 'full']),
    redisUrl: url(env, 'REDIS_CONN_STRING', ['redis:', 'rediss:']),
    redisKeyPrefix: redisKeyPrefix(env),
    sessionSecret: secret(env, 'SESSION_SECRET', 16),
    serverAddress,
    runBackgroundWork: nodeType === 'master' && bool(env, 'UPDATE_TASK', true),
    // The default of the TaskTimeoutMinutes option, so within its range (services/options.ts).
    taskTimeoutMinutes: int(env, 'TASK_TIMEOUT_MINUTES', 1440, 1, 10_080),
    initialRootPassword: secret(env, 'INITIAL_ROOT_PASSWORD', 8),
    initialRootAccessToken: secret(env, 'INITIAL_ROOT_ACCESS_TOKEN', 16),
    initialRootToken: initialToken(env),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    instanceId: instanceId(env),
    trustedProxies: (env.TRUSTED_PROXIES ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    sqlMaxOpenConns: int(env, 'SQL_MAX_OPEN_CONNS', 10, 1, 1000),
    poll: {
      intervalMs: optionalInt(env, 'POLL_INTERVAL_MS', 100, 3_600_000),
      leaseMs: optionalInt(env, 'POLL_LEASE_MS', 100, 3_600_000),
      idleMs: optionalInt(env, 'POLL_IDLE_MS', 10, 600_000),
      timeoutMs: optionalInt(env, 'POLL_TIMEOUT_MS', 100, 600_000),
      vanishGraceMs: optionalInt(env, 'POLL_VANISH_GRACE_MS', 0, 86_400_000),
    },
    jobIntervalMs: int(env, 'JOB_INTERVAL_MS', 60_000, 100, 86_400_000),
    shutdownWaitMs: int(env, 'SHUTDOWN_WAIT_MS', 10_000, 0, 600_000),
  };
}

function optionalInt(env: Env, name: string, min: number, max: number): number | null {
  return env[name] === undefined || env[name] === '' ? null : int(env, name, 0, min, max);
}

/** The instance's name in leases (`name:nonce:round` must fit the 64-character lease_owner column). */
function instanceId(env: Env): string {
  const raw = env.INSTANCE_ID;
  if (raw === undefined || raw === '') return `${process.pid}-${randomBytes(3).toString('hex')}`;
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(raw))
    throw new ConfigError(
      'invalid INSTANCE_ID: expected 1 to 40 letters, digits, dots, dashes or underscores',
    );
  return raw;
}

function redisKeyPrefix(env: Env): string {
  const raw = env.REDIS_KEY_PREFIX;
  if (raw === undefined || raw === '') return 'taskgate:';
  if (!/^[A-Za-z0-9:._-]{1,64}$/.test(raw))
    throw new ConfigError(
      'invalid REDIS_KEY_PREFIX: expected 1 to 64 letters, digits, colons, dots, dashes or underscores',
    );
  return raw;
}

function initialToken(env: Env): string | null {
  const raw = env.INITIAL_ROOT_TOKEN;
  if (raw === undefined || raw === '') return null;
  if (!/^sk-[A-Za-z0-9]{16,64}$/.test(raw)) {
    throw new ConfigError('invalid INITIAL_ROOT_TOKEN: expected sk- followed by 16 to 64 letters or digits');
  }
  return raw;
}
