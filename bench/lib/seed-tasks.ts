// Many finished-looking tasks straight into the store for the fetch and listing benchmarks: one
// INSERT … SELECT over a generated number series per chunk, so the rows are built by the database itself
// (faster than multi-row inserts from Node, or COPY, since nothing crosses the wire). Every value is a function
// of the row number n, so runs are repeatable:
//   - platform: even n Midjourney, n ≡ 1 (mod 4) Suno, n ≡ 3 (mod 4) OpenAI video;
//   - user: tasks 40k … 40k+3 (two Midjourney, one of each other platform) belong to `userId` (the benchmark's
//     caller), the rest to 9 other users;
//   - channel 1 + n mod 5; status 85% SUCCESS, 7% FAILURE, 4% IN_PROGRESS, 2% SUBMITTED, 2% NOT_START;
//   - action by platform (IMAGINE / UPSCALE / VARIATION; song / lyrics; textGenerate);
//   - submitted one second apart, the newest `now`, so time filters pick exact shares;
//   - the unfinished 8% on the poll schedule (task_polls), due at `now`.
import { sql } from 'kysely';
import type { DbContext } from '../../src/store/db.js';

export const SEED_TASK_ID_BASE = 1_000_000_000_000_000;
/** Extra users own 9 in 10 tasks; their ids start here (they need no users row: listings do not join). */
export const OTHER_USERS_BASE = 1_000_000;
export const SEED_CHANNELS = 5;

const IMAGE = 'https://cdn.example.com/attachments/1234567890/abcdef/lighthouse_at_dusk.png';
const BUTTONS = JSON.stringify(
  ['U1', 'U2', 'U3', 'U4', 'V1', 'V2', 'V3', 'V4', '🔄'].map((label, i) => ({
    customId: `MJ::JOB::${label}::1::a1b2c3d4-e5f6-4711-8899-aabbccddeeff${i}`,
    emoji: '',
    label,
    type: 2,
    style: 2,
  })),
);
const PROPERTIES = JSON.stringify({
  finalPrompt: 'a lighthouse at dusk, oil painting --ar 3:2',
  messageHash: 'x',
});
const PROMPT = 'a lighthouse at dusk, oil painting --ar 3:2';

/** The row for number `n`, as SQL both SQLite and PostgreSQL read (`n` an integer column of the series). */
function rowSelect(userId: number, now: number, count: number) {
  const mj = sql`n % 2 = 0`;
  const r = sql`(n * 7919 + n / 7) % 100`;
  return sql`select
    cast(${sql.lit(SEED_TASK_ID_BASE)} + n as text),
    case when ${mj} then 'midjourney' when n % 4 = 1 then 'suno' else 'openai-video' end,
    'up-' || cast(n as text), 
    case when ${mj} then (case when (n / 40) % 10 < 7 then 'IMAGINE' when (n / 40) % 10 < 9 then 'UPSCALE' else 'VARIATION' end)
         when n % 4 = 1 then (case when (n / 4) % 3 = 0 then 'lyrics' else 'song' end) else 'textGenerate' end,
    case when ${mj} then 'mj_imagine' when n % 4 = 1 then 'suno_music' else 'sora-2' end,
    case when (n / 4) % 10 = 0 then ${sql.lit(userId)} else ${sql.lit(OTHER_USERS_BASE)} + (n / 4) % 10 end,
    0, 1 + n % ${sql.lit(SEED_CHANNELS)}, 'default', 5000, 0,
    case when ${r} < 85 then 'SUCCESS' when ${r} < 92 then 'FAILURE' when ${r} < 96 then 'IN_PROGRESS'
         when ${r} < 98 then 'SUBMITTED' else 'NOT_START' end,
    case when ${r} < 85 then '100%' when ${r} < 96 then '40%' else '0%' end,
    1, case when ${r} >= 85 and ${r} < 92 then 'upstream failure' else '' end,
    ${sql.lit(now - (count - 1) * 1000)} + n * 1000,
    ${sql.lit(now - (count - 1) * 1000 + 2000)} + n * 1000,
    case when ${r} < 92 then ${sql.lit(now - (count - 1) * 1000 + 60_000)} + n * 1000 else 0 end,
    ${PROMPT}, ${PROMPT}, 'Submit success', '',
    case when ${mj} and ${r} < 85 then ${IMAGE} else '' end, '', '[]',
    case when ${mj} and ${r} < 85 then ${BUTTONS} else '[]' end,
    case when ${mj} then ${PROPERTIES} else '{}' end,
    case when ${mj} then '{}' else '{"status":"complete"}' end,
    '', '', 3, 0,
    ${sql.lit(now - (count - 1) * 1000)} + n * 1000, ${sql.lit(now)}`;
}

const COLUMNS = sql.raw(
  [
    'task_id',
    'platform',
    'upstream_id',
    'action',
    'model',
    'user_id',
    'token_id',
    'channel_id',
    '"group"',
    'quota',
    'refunded',
    'status',
    'progress',
    'code',
    'fail_reason',
    'submit_time',
    'start_time',
    'finish_time',
    'prompt',
    'prompt_en',
    'description',
    'state',
    'image_url',
    'video_url',
    'video_urls',
    'buttons',
    'properties',
    'data',
    'notify_hook',
    'parent_task_id',
    'version',
    'vanished_since',
    'created_at',
    'updated_at',
  ].join(', '),
);

/** Inserts `count` tasks (ids in n order, so the newest n has the highest id), in chunks of one transaction each. */
export async function seedTaskRows(
  store: DbContext,
  options: { count: number; userId: number; now: number },
): Promise<void> {
  const { count, userId, now } = options;
  const CHUNK = 200_000;
  for (let from = 0; from < count; from += CHUNK) {
    const to = Math.min(count, from + CHUNK) - 1;
    const select = rowSelect(userId, now, count);
    const query =
      store.dialect === 'postgres'
        ? sql`insert into tasks (${COLUMNS}) ${select} from generate_series(${sql.lit(from)}::bigint, ${sql.lit(to)}::bigint) as s(n)`
        : sql`insert into tasks (${COLUMNS}) with recursive s(n) as (select ${sql.lit(from)} union all select n + 1 from s where n < ${sql.lit(to)}) ${select} from s`;
    await query.execute(store.db);
  }
  // The unfinished ones are due now (polled a few times already), as the poller would find them.
  await sql`insert into task_polls (id, next_poll_at, poll_attempts)
    select id, ${sql.lit(now)}, 4 from tasks where status not in ('SUCCESS', 'FAILURE')`.execute(store.db);
  // VACUUM sets the visibility map that autovacuum keeps on a live table: index-only scans need it.
  if (store.dialect === 'postgres') await sql`vacuum analyze tasks, task_polls`.execute(store.db);
  else await sql`analyze`.execute(store.db);
}

/** The public id of seeded task `n`. */
export const seededTaskId = (n: number): string => String(SEED_TASK_ID_BASE + n);
