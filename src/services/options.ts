// Run-time settings with their defaults and validation. Values are stored as strings (new-api's convention) and
// kept parsed in memory; a change made on another instance is picked up by `refresh()` (at once when Redis
// carries the news, otherwise by the periodic refresh).
import { AppError } from '../core/errors.js';
import { DEFAULT_GROUP_RATIOS, DEFAULT_MODEL_PRICES } from '../core/pricing.js';
import type { DbContext } from '../store/db.js';
import { readOptions, writeOption } from '../store/options.js';

type Parser = (raw: string) => unknown;

const boolean: Parser = (raw) => {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new Error('expected true or false');
};

const integer =
  (min: number, max: number): Parser =>
  (raw) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`expected an integer from ${min} to ${max}`);
    return n;
  };

const numberMap =
  (allowZero: boolean): Parser =>
  (raw) => {
    const value = JSON.parse(raw) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('expected a JSON object');
    for (const [name, n] of Object.entries(value)) {
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0) || n > 1e6) {
        throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
      }
    }
    return value;
  };

/** Every option an admin may set, with its default (as stored text) and how to read it. */
const DEFINITIONS = {
  ModelPrice: { fallback: JSON.stringify(DEFAULT_MODEL_PRICES), parse: numberMap(true) },
  GroupRatio: { fallback: JSON.stringify(DEFAULT_GROUP_RATIOS), parse: numberMap(false) },
  RetryTimes: { fallback: '2', parse: integer(0, 10) },
  ChannelAutoBanThreshold: { fallback: '3', parse: integer(1, 1000) },
  TaskTimeoutMinutes: { fallback: '1440', parse: integer(1, 10080) },
  MjForwardUrlEnabled: { fallback: 'true', parse: boolean },
  MjNotifyEnabled: { fallback: 'false', parse: boolean },
  MjAccountFilterEnabled: { fallback: 'false', parse: boolean },
  MjModeClearEnabled: { fallback: 'false', parse: boolean },
  MjActionCheckSuccessEnabled: { fallback: 'true', parse: boolean },
  NotifyPrivateTargetsAllowed: { fallback: 'false', parse: boolean },
} satisfies Record<string, { fallback: string; parse: Parser }>;

export type OptionKey = keyof typeof DEFINITIONS;
export interface OptionValues {
  ModelPrice: Record<string, number>;
  GroupRatio: Record<string, number>;
  RetryTimes: number;
  /** Consecutive key/account failures after which an auto_ban channel is disabled. */
  ChannelAutoBanThreshold: number;
  /** Minutes after submit before an unfinished task fails and is refunded (a channel's own timeout wins). */
  TaskTimeoutMinutes: number;
  MjForwardUrlEnabled: boolean;
  MjNotifyEnabled: boolean;
  MjAccountFilterEnabled: boolean;
  MjModeClearEnabled: boolean;
  MjActionCheckSuccessEnabled: boolean;
  NotifyPrivateTargetsAllowed: boolean;
}

export const isOptionKey = (key: string): key is OptionKey => Object.hasOwn(DEFINITIONS, key);

export class Options {
  private raw: Record<string, string> = {};
  private parsed = {} as OptionValues;

  constructor(
    private readonly ctx: DbContext,
    /** Tells the other instances that an option changed (they refresh). */
    private readonly announce: () => void = () => {},
    /** Deployment defaults that replace the built-in ones until an admin saves a value (TASK_TIMEOUT_MINUTES). */
    private readonly defaults: { TaskTimeoutMinutes?: number } = {},
  ) {
    this.apply({});
  }

  async refresh(): Promise<void> {
    this.apply(await readOptions(this.ctx));
  }

  get<K extends OptionKey>(key: K): OptionValues[K] {
    return this.parsed[key];
  }

  /** Every public option as stored text, for the admin page. */
  list(): Array<{ key: OptionKey; value: string }> {
    return (Object.keys(DEFINITIONS) as OptionKey[]).map((key) => ({ key, value: this.raw[key] }));
  }

  async set(key: string, value: string): Promise<void> {
    if (!isOptionKey(key)) throw new AppError('unknown_option', 400, { key });
    try {
      DEFINITIONS[key].parse(value);
    } catch (error) {
      throw new AppError('invalid_option', 400, { key, detail: (error as Error).message });
    }
    await writeOption(this.ctx, key, value);
    this.apply({ ...this.raw, [key]: value });
    this.announce();
  }

  private apply(stored: Record<string, string>): void {
    const raw: Record<string, string> = {};
    const parsed: Record<string, unknown> = {};
    for (const [key, definition] of Object.entries(DEFINITIONS)) {
      const seeded = key === 'TaskTimeoutMinutes' ? this.defaults.TaskTimeoutMinutes : undefined;
      const candidate = stored[key] ?? (seeded === undefined ? definition.fallback : String(seeded));
      try {
        parsed[key] = definition.parse(candidate);
        raw[key] = candidate;
      } catch {
        // A value edited by hand into something unreadable must not take the service down: use the default.
        parsed[key] = definition.parse(definition.fallback);
        raw[key] = definition.fallback;
      }
    }
    this.raw = raw;
    this.parsed = parsed as unknown as OptionValues;
  }
}
