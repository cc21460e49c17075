// The submit path, the same for every platform: price → reserve (with the task row) → channel → upstream →
// record. No transaction is open during the upstream call. A submit moves on to the next candidate channel
// (at most `RetryTimes` more) only when the request provably never reached the first one, or the upstream
// answered with a refusal that blames the channel and proves the task was not created. One reservation covers
// every try, so a client request is charged once at most.
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { AppError, badRequest } from '../core/errors.js';
import { FALLBACK_PRICE, quotaFor } from '../core/pricing.js';
import { keyGroup } from '../core/roles.js';
import type { Metrics } from '../http/plugins/metrics.js';
import type { SubmitReading, UpstreamRequest, UpstreamResponse } from '../platforms/types.js';
import type { Options } from '../services/options.js';
import { addChannelUsage } from '../store/channels.js';
import { type DbContext, inTransaction } from '../store/db.js';
import { reserveQuota } from '../store/ledger.js';
import type { ChannelRow, NewTask, TaskPatch, TaskRow, TokenRow, UserRow } from '../store/schema.js';
import { storablePatch } from '../store/storable.js';
import { restartPoll, schedulePoll } from '../store/task-leases.js';
import { writeTaskFenced } from '../store/task-writes.js';
import { findTaskByPublicId, insertTask, taskValues, touchUnsubmitted } from '../store/tasks.js';
import { type ChannelHealth, keyFailure } from './channel-health.js';
import type { ChannelDirectory } from './channels.js';
import { failurePatch, planUpdate } from './observation.js';
import type { TaskWriter } from './task-writer.js';
import { type UpstreamClient, UpstreamError } from './upstream-client.js';

/** A task whose submit never completed (the instance died mid-call) is failed and refunded after this long. */
export const SUBMIT_GRACE_MS = 5 * 60_000;
/** The first status check after an accepted submit. */
export const FIRST_POLL_MS = 3_000;
/** How long a submit waits for the upstream's answer unless the engine is told otherwise (new-api: 60 s). */
export const DEFAULT_SUBMIT_TIMEOUT_MS = 60_000;
/** Gateway timeouts (nginx 504, Cloudflare 524): an intermediary gave up waiting, the upstream may have the task. */
const MAYBE_ACCEPTED_STATUSES = new Set([504, 524]);

export interface SubmitInput {
  platform: string;
  action: string;
  model: string;
  user: UserRow;
  token: TokenRow | null;
  /** Free actions (paid through a later step) are not charged. */
  free?: boolean;
  /** Per-second or per-size pricing. */
  priceMultiplier?: number;
  /** Follow-ups must go to their origin task's channel. */
  pinnedChannelId?: number;
  publicId: string;
  /** How the relay asks this channel (adapters translate, relays choose the route). */
  request(channel: ChannelRow): UpstreamRequest;
  read(response: UpstreamResponse): SubmitReading;
  /** Columns of the new task that come from the request (prompt, state, properties, notify hook…). */
  fields: Partial<NewTask>;
  /** Continue this task (a modal step) instead of creating one. */
  continueTask?: TaskRow;
}

export type SubmitResult =
  | { accepted: true; task: TaskRow; reading: Extract<SubmitReading, { kind: 'accepted' }> }
  | { accepted: false; reading: Extract<SubmitReading, { kind: 'refused' }> };

export interface SubmitDeps {
  store: DbContext;
  clock: Clock;
  options: Options;
  metrics: Metrics;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  channels: ChannelDirectory;
  upstream: UpstreamClient;
  writer: TaskWriter;
  health: ChannelHealth;
  submitTimeoutMs: number;
  wake(): void;
}

export function priceOf(options: Options, model: string, group: string, multiplier = 1): number {
  const price = options.get('ModelPrice')[model] ?? FALLBACK_PRICE;
  const ratio = options.get('GroupRatio')[group] ?? 1;
  return quotaFor(price, ratio, multiplier);
}

/**
 * A refusal worth another channel: it blames the channel, and the answer shows the upstream did not take the
 * task: any 4xx (401/403 bad key, 402 no credits, 429…), a 5xx other than a gateway timeout, or a "no account"
 * refusal. A channel-fault refusal on a 2xx is an answer we could not read (truncated JSON, an accept without an
 * id): the upstream may have created the task, so it is not sent again.
 */
function worthAnotherChannel(response: UpstreamResponse, reading: SubmitReading, keyFault: string | null) {
  if (reading.kind !== 'refused' || !reading.channelFault) return false;
  const { status } = response;
  return (
    keyFault !== null ||
    (status >= 400 && status < 500) ||
    (status >= 500 && !MAYBE_ACCEPTED_STATUSES.has(status))
  );
}

/** Fail reasons and refusals name the channels tried once there was more than one. */
const withTried = (text: string, tried: number[]) =>
  tried.length > 1 ? `${text} (channels tried: ${tried.join(' → ')})` : text;

export async function submitTask(deps: SubmitDeps, input: SubmitInput): Promise<SubmitResult> {
  const { metrics } = deps;
  const group = keyGroup(input.user, input.token);
  const quota = input.free ? 0 : priceOf(deps.options, input.model, group, input.priceMultiplier);
  const candidates = await chooseChannels(deps, input, group);
  const retries = input.pinnedChannelId ? 0 : deps.options.get('RetryTimes');
  const tries = candidates.slice(0, 1 + retries);
  const count = (outcome: string) =>
    metrics.submits.inc({ platform: input.platform, action: input.action, outcome });

  const task = await reserve(deps, input, group, quota, tries[0]);
  const tried: number[] = [];
  let lastError = 'no channel was tried';
  for (const [attempt, channel] of tries.entries()) {
    tried.push(channel.id);
    // The poller fails a task without an upstream id SUBMIT_GRACE_MS after its last touch, as a submit its
    // instance died in; tries that each waited for a slow refusal must not add up to that.
    if (attempt > 0) await touchUnsubmitted(deps.store, task.id, deps.clock.now());
    const logTry = (level: 'info' | 'warn', outcome: string, extra: Record<string, unknown> = {}) =>
      deps.log[level](
        {
          task: task.task_id,
          channel: channel.id,
          attempt: attempt + 1,
          of: tries.length,
          outcome,
          ...extra,
        },
        'submit try',
      );
    let response: UpstreamResponse;
    try {
      response = await deps.upstream.call(channel.base_url, channel.proxy, input.request(channel), {
        timeoutMs: deps.submitTimeoutMs,
        operation: 'submit',
        channelId: channel.id,
      });
    } catch (error) {
      const e = error instanceof UpstreamError ? error : new UpstreamError(String(error), false);
      lastError = e.message;
      if (e.neverSent) {
        logTry('warn', 'unreachable', { err: e.message });
        continue;
      }
      // Anything after the connection opened may have delivered the request, resets included (ECONNRESET,
      // UND_ERR_SOCKET): the upstream can read the whole body, create the task and then drop the connection,
      // and nothing on our side tells those apart from a reset before it read anything. Sending it again could
      // create the task twice, so it is failed and refunded instead; "reset before a response" is retried only
      // when it happens while connecting, which the client reports as never sent.
      const timedOut = /no answer within|timeout/i.test(e.message);
      logTry('warn', timedOut ? 'no answer in time' : 'connection lost', { err: e.message });
      await fail(
        deps,
        task,
        withTried(`the upstream did not answer the submit (${e.message}); the task was not tracked`, tried),
      );
      count('error');
      throw new AppError('service_unavailable', timedOut ? 504 : 502, {
        detail: timedOut
          ? 'the upstream did not answer in time; the request was not repeated, as it may have been accepted'
          : 'the connection to the upstream broke after the request was sent; it was not repeated, as it may have been accepted',
      });
    }
    const reading = input.read(response);
    const keyFault = keyFailure(response, reading);
    if (reading.kind === 'accepted') {
      logTry('info', 'accepted', { status: response.status, code: reading.code });
      // A continued task's charges count for its channel already (reserve); a new one's from its acceptance.
      const counted = input.continueTask ? 0 : quota;
      const accepted = await recordAcceptance(deps, task, channel, reading, counted);
      await deps.health.succeeded(channel.id, channel.failure_count);
      count('accepted');
      if (quota > 0) metrics.charges.inc({ platform: input.platform }, quota);
      deps.wake();
      return { accepted: true, task: accepted, reading };
    }
    if (keyFault) await deps.health.keyFailed(channel, keyFault);
    const retry = worthAnotherChannel(response, reading, keyFault) && attempt < tries.length - 1;
    logTry(reading.channelFault ? 'warn' : 'info', retry ? 'refused, trying the next channel' : 'refused', {
      status: response.status,
      code: reading.code,
      why: reading.description,
    });
    lastError = reading.description;
    if (retry) continue;
    const description = withTried(reading.description, tried);
    await fail(deps, task, description, reading.code);
    count('refused');
    return { accepted: false, reading: { ...reading, description } };
  }
  await fail(deps, task, withTried(`no upstream could be reached: ${lastError}`, tried));
  count('error');
  throw new AppError('service_unavailable', 502, {
    detail: `no upstream channel could be reached (channels tried: ${tried.join(', ')})`,
  });
}

async function chooseChannels(deps: SubmitDeps, input: SubmitInput, group: string): Promise<ChannelRow[]> {
  if (input.pinnedChannelId) {
    const channel = await deps.channels.get(input.pinnedChannelId);
    if (!channel)
      throw new AppError('service_unavailable', 503, { detail: "the task's channel no longer exists" });
    if (channel.status !== 1)
      throw new AppError('service_unavailable', 503, { detail: "the task's channel is disabled" });
    return [channel];
  }
  const candidates = await deps.channels.candidates(input.platform, group, input.model);
  // new-api's answer: 503 with code model_not_found. A relay whose clients choose the model freely (video)
  // answers it as the request's fault instead.
  if (candidates.length === 0) throw new AppError('model_not_found', 503, { model: input.model, group });
  return candidates;
}

/**
 * One transaction: the charge and the task row (or the continued task's new price). Returns the row as written,
 * built from the values inserted: nothing else can have touched a task that has no upstream id yet.
 */
async function reserve(
  deps: SubmitDeps,
  input: SubmitInput,
  group: string,
  quota: number,
  channel: ChannelRow,
): Promise<TaskRow> {
  const now = deps.clock.now();
  const reservation = {
    userId: input.user.id,
    tokenId: input.token?.id ?? 0,
    taskId: input.publicId,
    platform: input.platform,
    model: input.model,
    quota,
    content: `${input.action.toLowerCase()} via channel ${channel.id}`,
  };
  const continued = input.continueTask;
  if (continued) {
    await inTransaction(deps.store, async (trx) => {
      // Charged only if the task still waits for its modal: one that ended meanwhile (its timeout, a push) could
      // never be refunded. It stops waiting here, so a second modal sent at once is refused before it reaches the
      // upstream, whose refusal would fail the task the first one continues.
      const updated = await trx.db
        .updateTable('tasks')
        .set((eb) => ({
          quota: eb('quota', '+', quota),
          model: input.model,
          status: 'NOT_START',
          updated_at: now,
          version: eb('version', '+', 1),
        }))
        .where('id', '=', continued.id)
        .where('status', '=', 'MODAL')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1)
        throw badRequest(`the task ${continued.task_id} is no longer waiting for a modal; read it again`);
      await reserveQuota(trx, reservation, now);
      // Counted at once, as the task (accepted before) is refunded whole if this step fails; last, so the channel's
      // row is locked only until the commit (every submit to it updates that row).
      await addChannelUsage(trx, continued.channel_id, quota);
    });
    // A continued task is polled meanwhile (it waits for its modal): only a fresh read has its version.
    return (await findTaskByPublicId(deps.store, input.publicId))!;
  }
  const values = taskValues(
    {
      task_id: input.publicId,
      platform: input.platform,
      action: input.action,
      model: input.model,
      user_id: input.user.id,
      token_id: input.token?.id ?? 0,
      channel_id: channel.id,
      group,
      quota,
      submit_time: now,
      ...input.fields,
    },
    now,
  );
  const id = await inTransaction(deps.store, async (trx) => {
    await reserveQuota(trx, reservation, now);
    const inserted = await insertTask(trx, values);
    // Found by the poller only if this submit never completes (the instance died during the call).
    await schedulePoll(trx, inserted, now + SUBMIT_GRACE_MS);
    return inserted;
  });
  return { ...values, id } as TaskRow;
}

/**
 * Records the upstream's id and schedules the first poll; what the answer already says about the task (a modal
 * wait, an upload that is done, even a failure) then goes through the task writer like any later observation,
 * so a final first state settles or refunds exactly as it would from a poll. Fenced by the version reserved, so
 * the row as written is known without reading it back; a task changed meanwhile is read again.
 */
async function recordAcceptance(
  deps: SubmitDeps,
  task: TaskRow,
  channel: ChannelRow,
  reading: Extract<SubmitReading, { kind: 'accepted' }>,
  counted: number,
): Promise<TaskRow> {
  const now = deps.clock.now();
  const wanted: TaskPatch = {
    upstream_id: reading.upstreamId || task.upstream_id,
    channel_id: channel.id,
    code: reading.code,
    description: reading.description || task.description,
    status: 'NOT_START',
    updated_at: now,
  };
  // Only what differs is written: a column named in an UPDATE rewrites every index it is in (status: four).
  const changes = storablePatch(
    Object.fromEntries(
      Object.entries(wanted).filter(([column, value]) => task[column as keyof TaskRow] !== value),
    ) as TaskPatch,
  );
  const written = await inTransaction(deps.store, async (trx) => {
    if (!(await writeTaskFenced(trx, task.id, changes, { version: task.version, now }))) return false;
    // Tasks waiting for a modal are polled too, so timeouts reach them.
    await restartPoll(trx, task.id, now + FIRST_POLL_MS);
    // The charge counts for the channel that accepted it (a refund takes it back: task-writer.ts). Last, so the
    // channel's row, which every submit to it updates, is locked only until the commit.
    await addChannelUsage(trx, channel.id, counted);
    return true;
  });
  const recorded = written
    ? ({ ...task, ...changes, version: task.version + 1 } as TaskRow)
    : (await findTaskByPublicId(deps.store, task.task_id))!;
  // An answer without an upstream task (midjourney-proxy's upload) is the whole result.
  const initial =
    reading.initial ?? (reading.upstreamId === '' ? ({ status: 'SUCCESS' } as const) : undefined);
  const patch = initial && planUpdate(recorded, initial, now);
  if (!patch) return recorded;
  return (
    (await deps.writer.commit(recorded, patch, { version: recorded.version })) ??
    (await findTaskByPublicId(deps.store, task.task_id))!
  );
}

/** Fails and refunds the reserved task; the row in hand is tried first, a fresh read if it changed meanwhile. */
async function fail(deps: SubmitDeps, task: TaskRow, reason: string, code?: number | string): Promise<void> {
  const patch = failurePatch(reason, deps.clock.now());
  // The column is a 32-bit integer: an upstream's odd code (4.5, 1e12) stays in the reason, not in the column.
  if (typeof code === 'number' && Number.isInteger(code) && Math.abs(code) <= 2 ** 31 - 1) patch.code = code;
  if (await deps.writer.commit(task, patch, { version: task.version })) return;
  const current = (await findTaskByPublicId(deps.store, task.task_id))!;
  await deps.writer.commit(current, patch, { version: current.version });
}
