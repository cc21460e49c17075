// Indexes for the dashboard listings' filters (docs/benchmarks.md shows each listing query's plan). A page is
// read by walking an index backwards in id order: the filter's equality columns, then id, then (where a family
// of platforms is filtered) platform, checked from the index entry itself. So no page sorts the matching rows,
// and a count reads an index alone. The submit_time indexes serve the counts of time ranges.
import type { Kysely } from 'kysely';
import type { Dialect } from '../db.js';
import { createIndexOnce } from './existing.js';

const INDEXES: Record<string, string[]> = {
  // Every task of a family of platforms, newest first: the ids in order with the platform beside them.
  tasks_id_platform: ['id', 'platform'],
  tasks_user_id_platform: ['user_id', 'id', 'platform'],
  tasks_status_id_platform: ['status', 'id', 'platform'],
  tasks_user_status_id_platform: ['user_id', 'status', 'id', 'platform'],
  // One platform and a status: all three as equalities, so the planner takes these over (…, platform, id).
  tasks_platform_status_id: ['platform', 'status', 'id'],
  tasks_user_platform_status_id: ['user_id', 'platform', 'status', 'id'],
  tasks_action_id_platform: ['action', 'id', 'platform'],
  tasks_user_action_id_platform: ['user_id', 'action', 'id', 'platform'],
  tasks_channel_id_platform: ['channel_id', 'id', 'platform'],
  // A page with a time range walks ids instead (see filteredTasks).
  tasks_platform_submit_time: ['platform', 'submit_time'],
  tasks_user_platform_submit_time: ['user_id', 'platform', 'submit_time'],
};

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  // One by one, each skipped when a start stopped midway built it already (existing.ts).
  for (const [name, columns] of Object.entries(INDEXES)) {
    await createIndexOnce(db, dialect, 'tasks', name, (index) => index.columns(columns));
  }
}
