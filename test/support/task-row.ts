// A task row as read from the store, for the pure planning functions: a midjourney imagine submitted a minute
// before `now`, every other column at its empty value, then `fields`.
import type { TaskRow } from '../../src/store/schema.js';
import { taskValues } from '../../src/store/tasks.js';

export const taskRow = (now: number, fields: Partial<TaskRow> = {}): TaskRow =>
  ({
    id: 1,
    ...taskValues(
      { task_id: 't', platform: 'midjourney', action: 'IMAGINE', user_id: 1, submit_time: now - 60_000 },
      now - 60_000,
    ),
    ...fields,
  }) as TaskRow;
