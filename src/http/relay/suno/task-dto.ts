// A task as Suno-API clients read it (new-api's TaskDto): Taskgate's public id, Suno's action names, unix
// seconds, and the clips with every media URL through Taskgate's signed forwarding route.
import type { Static } from 'typebox';
import { toSeconds } from '../../../core/clock.js';
import { isObject } from '../../../platforms/json.js';
import { rewriteSunoMedia } from '../../../platforms/suno/media.js';
import type { TaskRow } from '../../../store/schema.js';
import { taskMediaPath } from '../../media/task-media.js';
import { type MediaSigner, parseJson } from '../../views/tasks.js';
import type { TaskDto } from './schemas.js';

/** Taskgate stores the task center's names; Suno-API clients know the upper-case ones. */
const SUNO_ACTIONS: Record<string, string> = { song: 'MUSIC', lyrics: 'LYRICS' };

export function sunoTaskDto(row: TaskRow, media: MediaSigner): Static<typeof TaskDto> {
  const stored = parseJson<unknown>(row.data, null);
  // Clients iterate a song's clips and read a lyrics object: keep those shapes before the first answer too.
  const data = row.action === 'song' ? (Array.isArray(stored) ? stored : []) : isObject(stored) ? stored : {};
  const sign = media.sign;
  return {
    task_id: row.task_id,
    action: SUNO_ACTIONS[row.action] ?? row.action.toUpperCase(),
    status: row.status,
    fail_reason: row.fail_reason,
    submit_time: toSeconds(row.submit_time),
    start_time: toSeconds(row.start_time),
    finish_time: toSeconds(row.finish_time),
    progress: row.progress,
    data: sign
      ? rewriteSunoMedia(data, (ref, source) => sign(taskMediaPath(row.task_id, ref), source))
      : data,
  };
}
