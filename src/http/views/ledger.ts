// A ledger row as users and admins read it.
import { type Static, Type } from 'typebox';
import { toSeconds } from '../../core/clock.js';
import type { LedgerRow } from '../../store/schema.js';

export const LedgerView = Type.Object({
  id: Type.Integer(),
  created_at: Type.Integer(),
  user_id: Type.Integer(),
  token_id: Type.Integer(),
  task_id: Type.String(),
  platform: Type.String(),
  model: Type.String(),
  kind: Type.String({ description: 'charge, refund, topup or adjust' }),
  quota: Type.Integer({ description: 'The positive amount moved' }),
  content: Type.String(),
});

export const ledgerView = (r: LedgerRow): Static<typeof LedgerView> => ({
  id: r.id,
  created_at: toSeconds(r.created_at),
  user_id: r.user_id,
  token_id: r.token_id,
  task_id: r.task_id ?? '',
  platform: r.platform,
  model: r.model,
  kind: r.kind,
  quota: r.quota,
  content: r.content,
});
