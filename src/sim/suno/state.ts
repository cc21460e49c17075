// Everything one Suno simulator holds: its clock, knobs, tasks (in insertion order, as Suno-API's database
// returns them), fault player and call log.
import { randomUUID } from 'node:crypto';
import { CallLog } from '../common/call-log.js';
import { SimClock } from '../common/clock.js';
import { FaultPlayer, type FaultRule, takeFault } from '../common/faults.js';
import { KnobError, knobNumber, knobObject } from '../common/knob-checks.js';
import { seededRandom } from '../common/seeded-random.js';
import { lyricsObject, writtenLyrics } from './clips.js';
import { statusLineError } from './envelope.js';
import { defaultSunoKnobs, patchSunoKnobs, type SunoKnobDefaults, type SunoKnobs } from './knobs.js';
import { parseSunoScript, type SunoScript, scriptFails } from './script.js';
import { evaluateMusic, type MusicSnapshot } from './timeline.js';
import type { LyricsTask, MusicRequest, MusicTask, SunoTask } from './types.js';

export interface SunoSimOptions extends SunoKnobDefaults {
  /** Simulated time per real time (default 1; 60 runs a simulated minute per real second). */
  timeScale?: number;
  /** The real clock in ms (default Date.now). */
  now?: () => number;
  /** Seed of the generator that decides which requests a fault `rate` hits (default 1). */
  seed?: number;
}

export class SunoCallLog extends CallLog {
  /** How many ids each `POST /suno/fetch` asked for, as sent (duplicates included). */
  fetchBatchSizes: number[] = [];

  override clear(): void {
    super.clear();
    this.fetchBatchSizes = [];
  }
}

const FORCEABLE: Record<string, string> = {
  SUBMITTED: 'submitted',
  QUEUED: 'queued',
  IN_PROGRESS: 'streaming',
  SUCCESS: 'complete',
  FAILURE: 'error',
};

const hex32 = () => randomUUID().replaceAll('-', '');

export class SunoState {
  readonly clock: SimClock;
  readonly calls = new SunoCallLog();
  readonly faults: FaultPlayer;
  knobs: SunoKnobs;
  readonly tasks = new Map<string, SunoTask>();
  private readonly clipOwners = new Map<string, { task: MusicTask; index: number }>();
  private nextRowId = 1;
  private random: () => number;

  constructor(private readonly options: SunoSimOptions = {}) {
    this.clock = new SimClock({ timeScale: options.timeScale, now: options.now });
    this.knobs = defaultSunoKnobs(options);
    this.random = seededRandom(options.seed ?? 1);
    this.faults = new FaultPlayer({
      errorBody: statusLineError,
      // What a feed-v2-style upstream would put where the task array belongs.
      shapeMismatchBody: { code: 'success', message: '', data: { clips: [] } },
    });
  }

  drawFault(rule: FaultRule | null): FaultRule | null {
    return takeFault(rule, this.random);
  }

  addMusic(request: MusicRequest, script: SunoScript): MusicTask {
    const task: MusicTask = {
      action: 'MUSIC',
      rowId: this.nextRowId++,
      taskId: hex32(),
      submittedAt: this.clock.now(),
      polls: 0,
      vanishAfterPolls: script.vanishAfterPolls,
      pollFault: script.pollFault,
      extraIds: script.extraIds,
      request,
      clipIds: [randomUUID(), randomUUID()],
      script,
      forced: null,
    };
    this.tasks.set(task.taskId, task);
    for (const [index, clipId] of task.clipIds.entries()) this.clipOwners.set(clipId, { task, index });
    return task;
  }

  addLyrics(prompt: string, script: SunoScript): LyricsTask {
    const id = randomUUID();
    const failed = scriptFails(script);
    const status = script.oddStatus ?? (failed ? 'error' : 'complete');
    // Suno-API stops polling once text is non-empty, so a failed lyrics task still carries some text.
    const text = failed ? (script.failReason ?? 'error') : writtenLyrics(prompt);
    const task: LyricsTask = {
      action: 'LYRICS',
      rowId: this.nextRowId++,
      taskId: id,
      submittedAt: this.clock.now(),
      polls: 0,
      vanishAfterPolls: script.vanishAfterPolls,
      pollFault: script.pollFault,
      extraIds: script.extraIds,
      lyrics: lyricsObject(id, prompt, status, text),
    };
    this.tasks.set(id, task);
    return task;
  }

  /** A finished task that was never submitted here (for answers with ids nobody asked for). */
  phantomTask(): MusicTask {
    const request: MusicRequest = {
      gpt_description_prompt: 'a song nobody asked for',
      prompt: '',
      tags: '',
      title: '',
      mv: 'chirp-v3-0',
      make_instrumental: false,
      continue_clip_id: '',
      continue_at: null,
      task_id: '',
    };
    return {
      action: 'MUSIC',
      rowId: 0,
      taskId: hex32(),
      submittedAt: this.clock.now() - 3_600_000,
      polls: 0,
      vanishAfterPolls: null,
      pollFault: null,
      extraIds: false,
      request,
      clipIds: [randomUUID(), randomUUID()],
      script: parseSunoScript(),
      forced: null,
    };
  }

  snapshot(task: MusicTask): MusicSnapshot {
    const elapsed = (this.clock.now() - task.submittedAt) / 1000;
    return evaluateMusic(task.script, this.knobs.timings, elapsed, task.forced);
  }

  /** Counts one fetch asking for `id` by `caller`; the task unless unknown or vanished. */
  poll(id: string, caller: string): SunoTask | undefined {
    const task = this.tasks.get(id);
    if (task) task.polls++;
    const found =
      task && (task.vanishAfterPolls === null || task.polls <= task.vanishAfterPolls) ? task : undefined;
    this.calls.countPoll(id, caller, found !== undefined);
    return found;
  }

  clipOwner(clipId: string): { task: MusicTask; index: number } | undefined {
    return this.clipOwners.get(clipId);
  }

  setKnobs(patch: unknown): void {
    const next = patchSunoKnobs(this.knobs, patch);
    const timeScale = knobObject(patch, 'knobs').timeScale;
    if (timeScale !== undefined) this.clock.setTimeScale(knobNumber(timeScale, 'timeScale', 1e-6));
    this.knobs = next;
  }

  /** Forces a MUSIC task's clips: `{status}` or `{clips:[s0,s1]}`, optional `fail_reason`; or `{vanish:true}`. */
  force(task: SunoTask, body: unknown): void {
    const order = knobObject(body, 'body');
    if (order.vanish === true) {
      task.vanishAfterPolls = task.polls;
      return;
    }
    if (task.action !== 'MUSIC')
      throw new KnobError('only MUSIC tasks can be forced (lyrics are final at submit)');
    const clips = Array.isArray(order.clips) ? order.clips : null;
    const status = typeof order.status === 'string' ? FORCEABLE[order.status] : undefined;
    let clipStatuses: [string, string];
    if (clips && clips.length === 2 && clips.every((c) => typeof c === 'string')) {
      clipStatuses = [clips[0], clips[1]];
    } else if (status) {
      clipStatuses = [status, status];
    } else {
      throw new KnobError(`give status (${Object.keys(FORCEABLE).join(', ')}) or clips: [status, status]`);
    }
    const failReason = typeof order.fail_reason === 'string' ? order.fail_reason : null;
    const atSeconds = (this.clock.now() - task.submittedAt) / 1000;
    task.forced = { atSeconds, clipStatuses, failReason };
  }

  /** Forgets every task, as a simulator started afresh would. */
  restart(): void {
    this.tasks.clear();
    this.clipOwners.clear();
  }

  /** Back to the state at construction: no tasks, no calls, default knobs. */
  reset(): void {
    this.restart();
    this.calls.clear();
    this.knobs = defaultSunoKnobs(this.options);
    this.random = seededRandom(this.options.seed ?? 1);
    this.clock.setTimeScale(this.options.timeScale ?? 1);
  }
}
