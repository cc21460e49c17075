// /api/log/*: the ledger. Users read their own rows; admins read everyone's.
import { Type } from 'typebox';
import { badRequest } from '../../core/errors.js';
import {
  endOfSecondMs,
  type PageParams,
  parseIdFilter,
  parsePage,
  parseTimestampMs,
} from '../../core/paging.js';
import { Role } from '../../core/roles.js';
import { listLedger } from '../../store/ledger.js';
import { requireUser } from '../plugins/auth.js';
import type { App } from '../types.js';
import { dashboardResponses, ok, Paged, PageQuery } from '../views/envelope.js';
import { LedgerView, ledgerView } from '../views/ledger.js';
import { IdQuery } from './id-schemas.js';

const KINDS = ['charge', 'refund', 'topup', 'adjust'];

const Filters = {
  ...PageQuery,
  kind: Type.Optional(Type.String({ maxLength: 16, description: 'charge, refund, topup or adjust' })),
  task_id: Type.Optional(Type.String({ maxLength: 64 })),
  start_timestamp: Type.Optional(Type.String({ maxLength: 20 })),
  end_timestamp: Type.Optional(Type.String({ maxLength: 20 })),
};

type Query = PageParams & {
  kind?: string;
  task_id?: string;
  start_timestamp?: string;
  end_timestamp?: string;
};

function commonFilter(query: Query) {
  if (query.kind && !KINDS.includes(query.kind)) throw badRequest(`kind must be one of ${KINDS.join(', ')}`);
  const startMs = parseTimestampMs('start_timestamp', query.start_timestamp);
  const endMs = endOfSecondMs(parseTimestampMs('end_timestamp', query.end_timestamp), query.end_timestamp);
  // As on the task listings: an empty window is a mistake to report, not an empty page to show.
  if (startMs !== null && endMs !== null && startMs > endMs)
    throw badRequest('start_timestamp is after end_timestamp');
  return { kind: query.kind || undefined, taskId: query.task_id || undefined, startMs, endMs };
}

export async function logRoutes(app: App): Promise<void> {
  const { store } = app.ctx;
  const tags = ['log'];

  app.get(
    '/api/log/self',
    {
      onRequest: requireUser(Role.user),
      schema: {
        tags,
        summary: 'My ledger rows',
        querystring: Type.Object(Filters),
        response: dashboardResponses(Paged(LedgerView)),
      },
    },
    async (request) => {
      const page = parsePage(request.query);
      const filter = { ...commonFilter(request.query), userId: request.user.id };
      const { rows, total } = await listLedger(store, filter, page.offset, page.pageSize);
      return ok({ items: rows.map(ledgerView), total, page: page.page, page_size: page.pageSize });
    },
  );

  app.get(
    '/api/log/',
    {
      onRequest: requireUser(Role.admin),
      schema: {
        tags,
        summary: 'Every ledger row (admin)',
        querystring: Type.Object({ ...Filters, user_id: IdQuery('Only rows of this user') }),
        response: dashboardResponses(Paged(LedgerView)),
      },
    },
    async (request) => {
      const page = parsePage(request.query);
      const userId = parseIdFilter('user_id', request.query.user_id) ?? undefined;
      const { rows, total } = await listLedger(
        store,
        { ...commonFilter(request.query), userId },
        page.offset,
        page.pageSize,
      );
      return ok({ items: rows.map(ledgerView), total, page: page.page, page_size: page.pageSize });
    },
  );
}
