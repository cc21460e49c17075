// Forcing a task into an exact state (POST /__sim/mj/tasks/:id), for tests that need it at an exact time.
// The forced status gets the fields it would naturally have (a forced SUCCESS has its image, hash and
// buttons); any field given explicitly then overrides them, and the task stays frozen that way.
import { DEFAULT_MIDWAY_FAILURE } from './timeline.js';
import { type MjTaskJson, TASK_STATUSES, type TaskStatus } from './types.js';
import type { Stage } from './view.js';

export class ForceError extends Error {}

const OVERRIDABLE = [
  'prompt',
  'promptEn',
  'description',
  'state',
  'submitTime',
  'startTime',
  'finishTime',
  'imageUrl',
  'progress',
  'failReason',
  'buttons',
] as const;

/** The fields of a force request, checked; `status` is returned apart since it picks the base stage. */
export function parseForce(input: unknown): { status: TaskStatus | null; fields: Partial<MjTaskJson> } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ForceError('the body must be an object of Task fields');
  }
  const body = input as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'status') continue;
    if (key === 'properties') {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new ForceError('properties must be an object');
      fields.properties = value;
    } else if ((OVERRIDABLE as readonly string[]).includes(key)) {
      fields[key] = value;
    } else {
      throw new ForceError(`${key} cannot be forced; allowed: status, properties, ${OVERRIDABLE.join(', ')}`);
    }
  }
  const status = body.status;
  if (status !== undefined && !TASK_STATUSES.includes(status as TaskStatus)) {
    throw new ForceError(`status must be one of ${TASK_STATUSES.join(', ')}`);
  }
  return { status: (status as TaskStatus | undefined) ?? null, fields: fields as Partial<MjTaskJson> };
}

/** The stage a task would show if it had just reached `status` at `now`, keeping what it already had. */
export function forcedStage(current: Stage, status: TaskStatus, now: number): Stage {
  const startTime = current.startTime ?? now;
  switch (status) {
    case 'NOT_START':
    case 'MODAL':
      return {
        status,
        percent: null,
        startTime: null,
        finishTime: null,
        failReason: null,
        inProgressAt: null,
        previewAt: null,
      };
    case 'SUBMITTED':
      return {
        status,
        percent: null,
        startTime,
        finishTime: null,
        failReason: null,
        inProgressAt: null,
        previewAt: null,
      };
    case 'IN_PROGRESS':
      return {
        ...current,
        status,
        percent: current.percent ?? 0,
        startTime,
        finishTime: null,
        failReason: null,
        inProgressAt: current.inProgressAt ?? now,
      };
    case 'SUCCESS':
      return { ...current, status, percent: null, startTime, finishTime: now, failReason: null };
    case 'FAILURE':
      return {
        ...current,
        status,
        percent: null,
        startTime,
        finishTime: now,
        failReason: DEFAULT_MIDWAY_FAILURE,
      };
  }
}

/** The frozen view: the base view with the given fields laid over it (properties are merged). */
export function overlay(base: MjTaskJson, fields: Partial<MjTaskJson>): MjTaskJson {
  return { ...base, ...fields, properties: { ...base.properties, ...(fields.properties ?? {}) } };
}
