// The dashboard listings (/api/task/, /api/task/self, /api/mj/, /api/mj/self) with their filters, first page and a
// deep page (the 500th, or the last when there are fewer), with `total`, on SQLite and PostgreSQL. Reference: the
// same SQL (the page query and a plain COUNT) run directly through the database driver, prepared once.
import SQLite from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';
import pg from 'pg';
import { Agent, request } from 'undici';
import { hashSecret, newAccessToken } from '../src/core/ids.js';
import { TASK_CENTER_PLATFORMS } from '../src/core/task-status.js';
import { type ListingQuery, listingFilter } from '../src/http/api/listing-filters.js';
import type { DbContext } from '../src/store/db.js';
import { filteredTasks, pageRows } from '../src/store/tasks.js';
import { createUser, setAccessTokenHash } from '../src/store/users.js';
import type { Sized } from './fetch.js';
import type { BenchResult, Budget, Row } from './lib/report.js';
import { fmt } from './lib/report.js';
import { OTHER_USERS_BASE, seededTaskId, seedTaskRows } from './lib/seed-tasks.js';
import { type BenchDialect, createDatabase, PG_URL, postgresAnswers, startTaskgate } from './lib/taskgate.js';
import { log, timed } from './lib/util.js';

const PAGE_SIZE = 20;
const DEEP_PAGE = 500;
const BUDGET_P99_MS: Record<BenchDialect, number> = { sqlite: 25, postgres: 40 };

interface Case {
  name: string;
  path: '/api/task/' | '/api/task/self' | '/api/mj/' | '/api/mj/self';
  query: ListingQuery;
}

function cases(nowMs: number, size: number): Case[] {
  const lastDay = { start_timestamp: String(Math.floor(nowMs / 1000) - 86_400) };
  return [
    { name: 'all tasks', path: '/api/task/', query: {} },
    { name: 'all tasks, status', path: '/api/task/', query: { status: 'SUCCESS' } },
    { name: 'all tasks, platform', path: '/api/task/', query: { platform: 'suno' } },
    { name: 'all tasks, action', path: '/api/task/', query: { action: 'song' } },
    { name: 'all tasks, channel', path: '/api/task/', query: { channel_id: '3' } },
    { name: 'all tasks, user', path: '/api/task/', query: { user_id: String(OTHER_USERS_BASE + 3) } },
    { name: 'all tasks, last day', path: '/api/task/', query: lastDay },
    { name: 'my tasks', path: '/api/task/self', query: {} },
    { name: 'my tasks, status', path: '/api/task/self', query: { status: 'FAILURE' } },
    { name: 'all MJ', path: '/api/mj/', query: {} },
    { name: 'my MJ', path: '/api/mj/self', query: {} },
    { name: 'my MJ, status', path: '/api/mj/self', query: { status: 'SUCCESS' } },
    { name: 'my MJ, action', path: '/api/mj/self', query: { action: 'UPSCALE' } },
    { name: 'my MJ, last day', path: '/api/mj/self', query: lastDay },
    // Seeded task n is the caller's Midjourney task when n is a multiple of 10.
    {
      name: 'my MJ, by id',
      path: '/api/mj/self',
      query: { mj_id: seededTaskId(Math.floor(size / 20) * 10) },
    },
  ].map((c) => ({ ...c, path: c.path as Case['path'] }));
}

const WARM_UP_REQUESTS = 20;

/** One listing per route with a filter that no measured case uses, each matching more than a page. */
function warmUpCases(): Case[] {
  return [
    { name: 'warm-up', path: '/api/task/', query: { user_id: String(OTHER_USERS_BASE + 5) } },
    { name: 'warm-up', path: '/api/task/self', query: { platform: 'suno' } },
    { name: 'warm-up', path: '/api/mj/', query: { status: 'FAILURE' } },
    { name: 'warm-up', path: '/api/mj/self', query: { action: 'IMAGINE' } },
  ];
}

/** The store filter Taskgate builds for a case (the same code path as the route). */
function filterOf(c: Case, userId: number) {
  const platforms = c.path.startsWith('/api/mj') ? ['midjourney'] : TASK_CENTER_PLATFORMS;
  const admin = !c.path.endsWith('/self');
  const filter = listingFilter(platforms, c.query, admin);
  if (!admin) filter.userId = userId;
  return filter;
}

/** The page query and a plain COUNT for a case, compiled: what the reference runs and what EXPLAIN shows. */
function compiled(ctx: DbContext, c: Case, userId: number, offset: number) {
  const filter = filterOf(c, userId);
  const page = pageRows(ctx, filter, offset, PAGE_SIZE).compile();
  const count = filteredTasks(ctx, filter)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .compile();
  return { page, count };
}

interface Direct {
  run(query: CompiledQuery): Promise<unknown[]>;
  explain(query: CompiledQuery): Promise<string>;
  close(): Promise<void>;
}

async function directConnection(
  dialect: BenchDialect,
  target: { location: string; schema?: string },
): Promise<Direct> {
  if (dialect === 'sqlite') {
    const db = new SQLite(target.location, { readonly: true });
    const prepared = new Map<string, SQLite.Statement>();
    const statement = (text: string) => {
      const known = prepared.get(text);
      if (known) return known;
      const fresh = db.prepare(text);
      prepared.set(text, fresh);
      return fresh;
    };
    return {
      run: async (q) => statement(q.sql).all(...(q.parameters as unknown[])),
      explain: async (q) =>
        db
          .prepare(`explain query plan ${q.sql}`)
          .all(...(q.parameters as unknown[]))
          .map((r) => (r as { detail: string }).detail)
          .join('\n'),
      close: async () => {
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`set search_path to ${target.schema}`);
  let n = 0;
  const names = new Map<string, string>();
  return {
    run: async (q) => {
      const name = names.get(q.sql) ?? `listing_${n++}`;
      names.set(q.sql, name);
      return (await client.query({ name, text: q.sql, values: q.parameters as unknown[] })).rows;
    },
    explain: async (q) =>
      (await client.query({ text: `explain ${q.sql}`, values: q.parameters as unknown[] })).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n'),
    close: () => client.end(),
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : Number.NaN;

interface Timing {
  p50: number;
  p99: number;
  max: number;
  first: number;
  samples: number;
}

function timing(latencies: number[]): Timing {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
    first: latencies[0],
    samples: latencies.length,
  };
}

interface Measured {
  case: string;
  path: string;
  query: ListingQuery;
  page: number;
  total: number;
  taskgate: Timing;
  reference: Timing;
  explainPage: string;
  explainCount: string;
}

async function runDialect(dialect: BenchDialect, size: number, samples: number, refSamples: number) {
  const database = await createDatabase(dialect);
  const gateway = await startTaskgate(database, { http: true });
  const http = new Agent({ keepAliveTimeout: 30_000, connections: 1 });
  let direct: Direct | null = null;
  try {
    const { store, clock } = gateway.ctx;
    const now = clock.now();
    const userId = await createUser(store, { username: 'bench_lister', passwordHash: 'x', role: 10 }, now);
    const accessToken = newAccessToken();
    await setAccessTokenHash(store, userId, hashSecret(accessToken), now);
    const seeded = await timed(() => seedTaskRows(store, { count: size, userId, now }));
    log(`listing ${dialect}: seeded ${size} tasks in ${fmt(seeded.ms / 1000, 1)} s`);
    direct = await directConnection(dialect, database.target);
    const headers = { authorization: `Bearer ${accessToken}`, 'new-api-user': String(userId) };
    const get = async (c: Case, page: number) => {
      const query = new URLSearchParams({
        ...c.query,
        p: String(page),
        page_size: String(PAGE_SIZE),
      } as Record<string, string>);
      const started = performance.now();
      const response = await request(`${gateway.url}${c.path}?${query}`, { headers, dispatcher: http });
      const body = (await response.body.json()) as {
        success: boolean;
        data: { items: unknown[]; total: number };
      };
      const ms = performance.now() - started;
      if (response.statusCode !== 200 || !body.success)
        throw new Error(
          `${c.path}?${query}: HTTP ${response.statusCode} ${JSON.stringify(body).slice(0, 200)}`,
        );
      return { ms, total: body.data.total, items: body.data.items.length };
    };
    // The process warms up on filters no case measures, so the first case does not pay for the first requests
    // of the run (the JIT, the routes' first use) while every case's own first request still pays its count.
    for (const c of warmUpCases()) for (let i = 0; i < WARM_UP_REQUESTS; i++) await get(c, 1 + (i % 2));
    const results: Measured[] = [];
    for (const c of cases(now, size)) {
      // The first page, uncached, tells how deep the listing goes.
      const first = await get(c, 1);
      const deepest = Math.max(1, Math.ceil(first.total / PAGE_SIZE));
      for (const page of [...new Set([1, Math.min(DEEP_PAGE, deepest)])]) {
        const latencies = page === 1 ? [first.ms] : [];
        while (latencies.length < samples) {
          const answer = await get(c, page);
          if (answer.total !== first.total || (first.total > 0 && answer.items === 0))
            throw new Error(
              `${c.name} page ${page}: total ${answer.total} (first ${first.total}), ${answer.items} items`,
            );
          latencies.push(answer.ms);
        }
        const queries = compiled(gateway.ctx.store, c, userId, (page - 1) * PAGE_SIZE);
        const reference: number[] = [];
        for (let i = 0; i < refSamples; i++) {
          const started = performance.now();
          await direct.run(queries.page);
          await direct.run(queries.count);
          reference.push(performance.now() - started);
        }
        results.push({
          case: c.name,
          path: c.path,
          query: c.query,
          page,
          total: first.total,
          taskgate: timing(latencies),
          reference: timing(reference),
          explainPage: await direct.explain(queries.page),
          explainCount: await direct.explain(queries.count),
        });
      }
      log(`listing ${dialect}: ${c.name} (${first.total} matching)`);
    }
    return { seedSeconds: seeded.ms / 1000, results };
  } finally {
    await direct?.close();
    await http.close();
    await gateway.close();
    await database.drop();
  }
}

export async function listingBench(options: Sized): Promise<BenchResult> {
  const size = options.smoke ? 2_000 : options.full ? 1_000_000 : 20_000;
  const samples = options.smoke ? 3 : options.full ? 200 : 40;
  const refSamples = options.smoke ? 3 : options.full ? 20 : 40;
  const dialects: BenchDialect[] = ['sqlite'];
  if (await postgresAnswers()) dialects.push('postgres');
  else log('listing: PostgreSQL does not answer, only SQLite is measured');
  const rows: Row[] = [];
  const budgets: Budget[] = [];
  const data: Record<string, unknown> = { size, samples, refSamples, pageSize: PAGE_SIZE };
  for (const dialect of dialects) {
    const measured = await runDialect(dialect, size, samples, refSamples);
    data[dialect] = measured;
    const limit = BUDGET_P99_MS[dialect];
    for (const m of measured.results) {
      const kase = `${dialect}, ${size} tasks, ${m.case}, p${m.page}`;
      const met = m.taskgate.p99 <= limit;
      budgets.push({
        bench: 'listing',
        case: kase,
        rule: `p99 ≤ ${limit} ms`,
        met,
        detail: `${fmt(m.taskgate.p99, 2)} ms`,
      });
      rows.push({
        bench: 'listing',
        case: kase,
        metric: `p50 / p99 ms (total ${m.total})`,
        taskgate: `${fmt(m.taskgate.p50, 2)} / ${fmt(m.taskgate.p99, 2)}`,
        reference: `${fmt(m.reference.p50, 2)} / ${fmt(m.reference.p99, 2)}`,
        ratio: `${fmt(m.taskgate.p50 / m.reference.p50, 2)}×`,
        budget: `${met ? 'met' : 'NOT met'}: p99 ≤ ${limit} ms`,
      });
    }
  }
  return { name: 'listing', rows, budgets, data };
}
