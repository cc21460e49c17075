// What the video routes share: the platform name and the signed links handed out for a task's content.

import type { VideoLinker } from '../../../platforms/openai-video/view.js';
import type { TaskRow } from '../../../store/schema.js';
import type { AppContext } from '../../context.js';
import { taskMediaPath } from '../../media/task-media.js';
import { mediaSigner } from '../../views/tasks.js';

export const PLATFORM = 'openai-video';

/** Signed /task/media links for one task's variants, or null when media forwarding is off. */
export function videoLinker(ctx: AppContext): (row: TaskRow) => VideoLinker {
  return (row) => {
    const { sign } = mediaSigner(
      ctx.options.get('MjForwardUrlEnabled'),
      ctx.config.serverAddress,
      ctx.secret,
      ctx.clock.now(),
    );
    return sign ? (ref) => sign(taskMediaPath(row.task_id, ref)) : null;
  };
}
