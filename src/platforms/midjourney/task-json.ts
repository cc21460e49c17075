// Reads a midjourney-proxy Task object (J, plus or trueai flavour) into an Observation, tolerating wrong types.
import type { TaskStatus } from '../../core/task-status.js';
import { clip, isObject, str, stringArray, timeMs } from '../json.js';
import type { Observation } from '../types.js';

const STATUSES: Record<string, TaskStatus> = {
  NOT_START: 'NOT_START',
  SUBMITTED: 'SUBMITTED',
  MODAL: 'MODAL',
  IN_PROGRESS: 'IN_PROGRESS',
  SUCCESS: 'SUCCESS',
  FAILURE: 'FAILURE',
  // trueai's CANCEL is a failure to the client.
  CANCEL: 'FAILURE',
};

/** The task's id, or undefined when the element is not a task. */
export const mjTaskId = (value: unknown): string | undefined => (isObject(value) ? str(value.id) : undefined);

/** An Observation, or null when the status is missing or unknown (then nothing is changed). */
export function readMjTask(value: unknown): Observation | null {
  if (!isObject(value)) return null;
  const status = STATUSES[str(value.status)?.toUpperCase() ?? ''];
  if (!status) return null;
  // midjourney-proxy echoes the notifyHook it was given: that is Taskgate's push URL with the channel's secret.
  const { notifyHook: _pushUrl, ...properties } = isObject(value.properties) ? value.properties : {};
  const videoUrls = stringArray(value.videoUrls);
  return {
    status,
    progress: str(value.progress)?.slice(0, 20),
    failReason:
      status === 'FAILURE' ? clip(str(value.failReason) || 'the upstream reported a failure') : undefined,
    startTime: timeMs(value.startTime),
    finishTime: timeMs(value.finishTime),
    imageUrl: str(value.imageUrl) || undefined,
    videoUrl: str(value.videoUrl) || undefined,
    videoUrls: videoUrls?.length ? videoUrls : undefined,
    promptEn: str(value.promptEn),
    description: str(value.description),
    buttons: Array.isArray(value.buttons) ? value.buttons : undefined,
    properties: isObject(value.properties) ? properties : undefined,
  };
}
