// The simulated midjourney-proxy's memory: tasks, accounts and their queues, knobs, counters and clock.
// Tests may read and drive it directly; the routes and the control API go through the same methods.
import { randomInt } from 'node:crypto';
import { SimClock } from '../common/clock.js';
import { FaultPlayer, type FaultRule, takeFault } from '../common/faults.js';
import {
  type AccountOption,
  AccountQueue,
  accountConfig,
  DEFAULT_ACCOUNT_ID,
  parseAccountOptions,
} from './accounts.js';
import { MjCounters } from './counters.js';
import type { Directives } from './directives.js';
import { forcedStage, overlay, parseForce } from './force.js';
import { newTaskId, nonceFor, snowflake, uuidFor } from './ids.js';
import { applyKnobs, defaultKnobs, type FaultTarget, KnobError, type MidjourneyKnobs } from './knobs.js';
import { MediaSigner } from './media.js';
import { Notifier } from './notify.js';
import { springError, systemError } from './results.js';
import { buildTimeline, isTerminalEvent, profileOf } from './timeline.js';
import type { MjTaskJson, SimTask, TaskAction } from './types.js';
import { composeView, stageAt, type ViewContext, viewAt } from './view.js';

export interface MidjourneySimOptions extends Partial<MidjourneyKnobs> {
  /** Simulated ms per real ms (default 1); 60 runs one simulated minute per real second. */
  timeScale?: number;
  /** Default: one account (id 1118138338562560102), core 3, queue 10, timeout 5 minutes. */
  accounts?: AccountOption[];
  /** The real clock in epoch ms (default Date.now). */
  now?: () => number;
  /** Base of image URLs until listen() sets it (for the plugin form behind another server). */
  baseUrl?: string;
}

/** What a route knows about a new task; the state adds ids, times and the script. */
export interface TaskFields {
  action: TaskAction;
  accountId: string;
  prompt: string | null;
  promptEn: string | null;
  description: string;
  state: string | null;
  notifyHook: string | null;
  finalPrompt: string;
  candidates?: string[];
  uploads?: string[];
  extraProperties?: Record<string, unknown>;
  parentId?: string | null;
  customId?: string | null;
  directives: Directives;
}

export class MidjourneySimState {
  readonly clock: SimClock;
  readonly counters = new MjCounters();
  readonly tasks = new Map<string, SimTask>();
  readonly accounts = new Map<string, AccountQueue>();
  readonly media: MediaSigner;
  readonly faults: FaultPlayer;
  readonly notifier: Notifier;
  /** Ids of tasks that have a callback URL and may still have callbacks to send. */
  readonly notifyPending = new Set<string>();
  knobs: MidjourneyKnobs;
  baseUrl: string;
  private readonly initial: { knobs: MidjourneyKnobs; accounts: AccountOption[]; timeScale: number };

  constructor(options: MidjourneySimOptions = {}) {
    const { timeScale = 1, accounts = [{ id: DEFAULT_ACCOUNT_ID }], now, baseUrl, ...knobs } = options;
    this.knobs = applyKnobs(defaultKnobs(), knobs as Record<string, unknown>);
    this.initial = { knobs: structuredClone(this.knobs), accounts, timeScale };
    this.clock = new SimClock({ timeScale, now });
    this.baseUrl = baseUrl ?? 'http://127.0.0.1';
    this.media = new MediaSigner(
      () => this.clock.now(),
      () => this.knobs.imageUrlTtlSeconds,
      () => this.baseUrl,
    );
    this.faults = new FaultPlayer({
      errorBody: (status, request) => springError(status, request.url.split('?')[0], this.clock.now()),
      shapeMismatchBody: systemError(null),
    });
    this.notifier = new Notifier(this);
    this.configureAccounts(accounts);
  }

  now(): number {
    return this.clock.now();
  }

  /** Replays every account's worker hand-overs up to now and returns now (simulated ms). */
  settle(): number {
    const now = this.clock.now();
    for (const account of this.accounts.values()) account.settle(now);
    return now;
  }

  viewContext(): ViewContext {
    return { mode: this.knobs.mode, media: this.media };
  }

  /** The Task JSON as a client would see it now (or at simulated time `at`). */
  view(task: SimTask, at: number = this.settle()): MjTaskJson {
    return viewAt(task, at, this.viewContext());
  }

  /** Picks an account as J's BestWaitIdleRule does; null when none is enabled. */
  chooseAccount(): AccountQueue | null {
    this.settle();
    const alive = [...this.accounts.values()].filter((a) => a.config.enabled);
    if (alive.length === 0) return null;
    const best = Math.min(...alive.map((a) => a.wait));
    const ties = alive.filter((a) => a.wait === best);
    return ties[randomInt(ties.length)];
  }

  /** Stores a new task, not yet queued; `build` gets its fresh id and submit time. */
  addTask(build: (id: string, now: number) => TaskFields): SimTask {
    const now = this.clock.now();
    const id = newTaskId(now, (candidate) => this.tasks.has(candidate));
    const fields = build(id, now);
    const { directives, ...rest } = fields;
    const task: SimTask = {
      ...rest,
      id,
      submitTime: now,
      nonce: nonceFor(now, id),
      hash: uuidFor(`hash:${id}`),
      profile: profileOf(fields.action),
      outcome: directives.outcome,
      candidates: fields.candidates ?? [],
      uploads: fields.uploads ?? [],
      extraProperties: fields.extraProperties ?? {},
      parentId: fields.parentId ?? null,
      customId: fields.customId ?? null,
      enqueuedAt: null,
      dispatchedAt: null,
      events: [],
      endsAt: Number.POSITIVE_INFINITY,
      vanishAfterPolls: directives.vanishAfterPolls,
      pollsSeen: 0,
      pollFault: directives.pollFault,
      forced: null,
      notifiedUpTo: Number.NEGATIVE_INFINITY,
    };
    this.tasks.set(id, task);
    return task;
  }

  /** A URL for an image uploaded with a submit, as J names it (<taskId>.<ext>). */
  uploadUrl(taskId: string, accountId: string, index: number, ext: string): string {
    const at = this.clock.now();
    return this.media.url({
      channel: accountId,
      attachment: snowflake(at, `upload:${index}:${taskId}`),
      file: index === 0 ? `${taskId}.${ext}` : `${taskId}_${index}.${ext}`,
      issuedAt: at,
    });
  }

  /** Puts a stored task in its account queue: the number waiting ahead, or null (task deleted) when full. */
  enqueue(task: SimTask): number | null {
    const now = this.settle();
    const account = this.accounts.get(task.accountId);
    const ahead = account ? account.offer(task, now) : null;
    if (ahead === null) {
      this.tasks.delete(task.id);
      return null;
    }
    task.enqueuedAt = now;
    if (task.notifyHook) this.notifyPending.add(task.id);
    return ahead;
  }

  /** Looks a task up for a poll: counts it, and makes a `vanish` task disappear once its polls are used up. */
  lookupForPoll(id: string): SimTask | undefined {
    const task = this.tasks.get(id);
    if (!task) return undefined;
    if (task.vanishAfterPolls !== null && ++task.pollsSeen > task.vanishAfterPolls) {
      this.deleteTask(task);
      return undefined;
    }
    this.counters.countReturned(id);
    return task;
  }

  deleteTask(task: SimTask): void {
    const now = this.settle();
    this.accounts.get(task.accountId)?.release(task, now);
    this.tasks.delete(task.id);
    this.notifyPending.delete(task.id);
  }

  /** Tasks held by the account queues (waiting or running), oldest first, as /mj/task/queue lists them. */
  queuedTasks(): SimTask[] {
    this.settle();
    const held = [...this.accounts.values()].flatMap((a) => [...a.running, ...a.waiting]);
    return held.sort((a, b) => a.submitTime - b.submitTime);
  }

  /** Freezes a task in a given state (see force.ts); null for an unknown id. Throws ForceError on bad input. */
  forceTask(id: string, input: unknown): MjTaskJson | null {
    const task = this.tasks.get(id);
    if (!task) return null;
    const { status, fields } = parseForce(input);
    const now = this.settle();
    const ctx = this.viewContext();
    const current = viewAt(task, now, ctx);
    const base =
      status && status !== current.status
        ? composeView(task, forcedStage(stageAt(task, now), status, now), ctx)
        : current;
    const view = overlay(base, fields);
    task.forced = { at: now, view };
    // A forced end frees the worker now; a forced unfinished state holds it for good, like a stuck job.
    if (view.status === 'SUCCESS' || view.status === 'FAILURE')
      this.accounts.get(task.accountId)?.release(task, now);
    else task.endsAt = Number.POSITIVE_INFINITY;
    if (task.notifyHook) this.notifyPending.add(task.id);
    return view;
  }

  /** The knob rule for a target, if it fires for this request. */
  takeFault(target: FaultTarget): FaultRule | null {
    return takeFault(this.knobs.faults[target]);
  }

  /** Applies knobs, plus `timeScale` and `accounts` (added or updated by id); all or nothing. */
  setKnobs(patch: Record<string, unknown>): void {
    const { timeScale, accounts, ...rest } = patch;
    const knobs = applyKnobs(this.knobs, rest);
    if (timeScale !== undefined && !(typeof timeScale === 'number' && timeScale > 0)) {
      throw new KnobError('timeScale must be a number > 0');
    }
    const configs = accounts === undefined ? [] : parseAccountOptions(accounts);
    this.knobs = knobs;
    if (typeof timeScale === 'number') this.clock.setTimeScale(timeScale);
    this.configureAccounts(configs);
  }

  /** An in-memory proxy restart: every task is gone (queued and running ones too). */
  restart(): void {
    this.tasks.clear();
    this.notifyPending.clear();
    for (const account of this.accounts.values()) account.clear();
  }

  /** A fresh simulator: no tasks, no counters, the knobs and accounts it was created with. */
  reset(): void {
    this.restart();
    this.counters.clear();
    this.knobs = structuredClone(this.initial.knobs);
    this.accounts.clear();
    this.configureAccounts(this.initial.accounts);
    this.clock.setTimeScale(this.initial.timeScale);
  }

  private configureAccounts(options: AccountOption[]): void {
    const now = this.settle();
    for (const option of options) {
      const config = accountConfig(option);
      const existing = this.accounts.get(config.id);
      if (existing) existing.reconfigure(config, now);
      else this.accounts.set(config.id, new AccountQueue(config, (task, at) => this.dispatch(task, at)));
    }
  }

  /** A worker takes the task at `at`: its timeline starts. */
  private dispatch(task: SimTask, at: number): void {
    const account = this.accounts.get(task.accountId);
    const timeoutMs = (account?.config.timeoutMinutes ?? 5) * 60_000;
    task.dispatchedAt = at;
    task.events = buildTimeline(
      task.profile,
      task.outcome,
      this.knobs.timings,
      this.knobs.progressSteps,
      timeoutMs,
    );
    const last = task.events[task.events.length - 1];
    task.endsAt = isTerminalEvent(last) && !task.forced ? at + last.offset : Number.POSITIVE_INFINITY;
  }
}
