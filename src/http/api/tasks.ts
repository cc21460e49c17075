// The four listings of seeds 000 and 001: Midjourney tasks at /api/mj/*, every other platform at /api/task/*.
// The self routes are always scoped to the caller; the admin routes add channel and user filters.
import { Type } from 'typebox';
import { type PageParams, parsePage } from '../../core/paging.js';
import { Role } from '../../core/roles.js';
import { TASK_CENTER_PLATFORMS } from '../../core/task-status.js';
import type { TaskRow } from '../../store/schema.js';
import { listTasks } from '../../store/tasks.js';
import { requireUser } from '../plugins/auth.js';
import type { App } from '../types.js';
import { dashboardResponses, ok, Paged } from '../views/envelope.js';
import { type MediaSigner, MjTaskItem, mediaSigner, mjTaskItem, TaskItem, taskItem } from '../views/tasks.js';
import { AdminFilters, type ListingQuery, listingFilter, MjQuery, TaskQuery } from './listing-filters.js';

const MJ = ['midjourney'] as const;

export async function taskListingRoutes(app: App): Promise<void> {
  const { store, clock, options, config, secret } = app.ctx;

  /** One listing for both families; `userId` null is the admin view of everyone's tasks. */
  const list = async <T>(
    platforms: readonly string[],
    item: (row: TaskRow, media: MediaSigner, admin: boolean) => T,
    query: ListingQuery & PageParams,
    userId: number | null,
  ) => {
    const page = parsePage(query);
    const filter = listingFilter(platforms, query, userId === null);
    if (userId !== null) filter.userId = userId;
    const { rows, total } = await listTasks(store, filter, page.offset, page.pageSize);
    const media = mediaSigner(options.get('MjForwardUrlEnabled'), config.serverAddress, secret, clock.now());
    return ok({
      items: rows.map((r) => item(r, media, userId === null)),
      total,
      page: page.page,
      page_size: page.pageSize,
    });
  };
  const listMj = (query: ListingQuery, userId: number | null) => list(MJ, mjTaskItem, query, userId);
  const listTaskCenter = (query: ListingQuery, userId: number | null) =>
    list(TASK_CENTER_PLATFORMS, (row, media, admin) => taskItem(row, admin, media), query, userId);

  app.get(
    '/api/mj/self',
    {
      onRequest: requireUser(Role.user),
      schema: {
        tags: ['mj'],
        summary: 'My Midjourney tasks',
        querystring: Type.Object(MjQuery),
        response: dashboardResponses(Paged(MjTaskItem)),
      },
    },
    (request) => listMj(request.query, request.user.id),
  );

  app.get(
    '/api/mj/',
    {
      onRequest: requireUser(Role.admin),
      schema: {
        tags: ['mj'],
        summary: 'Every Midjourney task (admin)',
        querystring: Type.Object({ ...MjQuery, ...AdminFilters }),
        response: dashboardResponses(Paged(MjTaskItem)),
      },
    },
    (request) => listMj(request.query, null),
  );

  app.get(
    '/api/task/self',
    {
      onRequest: requireUser(Role.user),
      schema: {
        tags: ['task'],
        summary: 'My tasks (Suno, video)',
        querystring: Type.Object(TaskQuery),
        response: dashboardResponses(Paged(TaskItem)),
      },
    },
    (request) => listTaskCenter(request.query, request.user.id),
  );

  app.get(
    '/api/task/',
    {
      onRequest: requireUser(Role.admin),
      schema: {
        tags: ['task'],
        summary: 'Every task (Suno, video) (admin)',
        querystring: Type.Object({ ...TaskQuery, ...AdminFilters }),
        response: dashboardResponses(Paged(TaskItem)),
      },
    },
    (request) => listTaskCenter(request.query, null),
  );
}
