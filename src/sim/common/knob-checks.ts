// Validation for knobs set over the control API: each check names the knob it rejects.
import { type FaultRule, FaultRuleError, parseFaultRule } from './faults.js';

export class KnobError extends Error {}

export function knobObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KnobError(`${name} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

export function knobBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new KnobError(`${name} must be true or false`);
  return value;
}

export function knobNumber(value: unknown, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new KnobError(`${name} must be a number between ${min} and ${max}`);
  }
  return value;
}

export function knobText(value: unknown, name: string): string | null {
  if (value !== null && typeof value !== 'string') throw new KnobError(`${name} must be a string or null`);
  return value || null;
}

/** A fault rule from JSON: null (none), a short token (read by `token`), or a rule object. */
export function knobFault(
  value: unknown,
  name: string,
  token: (text: string) => FaultRule | null,
): FaultRule | null {
  if (value === null) return null;
  if (typeof value === 'string') {
    const rule = token(value);
    if (!rule) throw new KnobError(`${name}: unknown fault "${value}"`);
    return rule;
  }
  try {
    return parseFaultRule(value);
  } catch (error) {
    if (error instanceof FaultRuleError) throw new KnobError(`${name}: ${error.message}`);
    throw error;
  }
}

/** Copies the numeric fields of `patch` that `current` has, each checked as >= min. */
export function knobNumbers<T extends object>(current: T, patch: unknown, name: string, min: number): T {
  const source = knobObject(patch, name);
  const next = { ...current };
  for (const [key, value] of Object.entries(source)) {
    if (!(key in current)) throw new KnobError(`${name}.${key} is not a known setting`);
    (next as Record<string, unknown>)[key] = knobNumber(value, `${name}.${key}`, min);
  }
  return next;
}
