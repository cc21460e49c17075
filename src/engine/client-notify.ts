// Calls a client's own notifyHook when its task changes (implementation in progress).
import type { TaskRow } from '../store/schema.js';

export class ClientNotifier {
  /** Called by the task writer after every committed change. */
  taskChanged(_before: TaskRow, _after: TaskRow): void {}

  async close(): Promise<void> {}
}
