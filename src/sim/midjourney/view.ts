// The Task JSON a client sees at a given simulated time, field by field as J fills them (reference 5.3).
import { buttonsFor } from './buttons.js';
import { slugOf, snowflake } from './ids.js';
import type { MediaSigner } from './media.js';
import { eventIndexAt, isTerminalEvent } from './timeline.js';
import type { MjTaskJson, SimTask, TaskStatus } from './types.js';

export interface ViewContext {
  mode: 'J' | 'P';
  media: MediaSigner;
}

/** Where a task's life stands: the facts every field is derived from. */
export interface Stage {
  status: TaskStatus;
  /** The percentage while IN_PROGRESS. */
  percent: number | null;
  startTime: number | null;
  finishTime: number | null;
  failReason: string | null;
  /** When the bot's first message arrived (it becomes progressMessageId). */
  inProgressAt: number | null;
  /** When the latest preview image arrived. */
  previewAt: number | null;
}

const DISCORD_USER = 'simuser';

const QUEUED: Omit<Stage, 'status'> = {
  percent: null,
  startTime: null,
  finishTime: null,
  failReason: null,
  inProgressAt: null,
  previewAt: null,
};

export function stageAt(task: SimTask, at: number): Stage {
  if (task.enqueuedAt === null) return { status: 'MODAL', ...QUEUED };
  const base = task.dispatchedAt;
  const index = base === null ? -1 : eventIndexAt(task.events, at - base);
  if (base === null || index < 0) return { status: 'NOT_START', ...QUEUED };
  const reached = task.events.slice(0, index + 1);
  const current = reached[index];
  const started = reached.find((e) => e.status === 'IN_PROGRESS');
  const preview = reached.findLast((e) => e.preview);
  return {
    status: current.status,
    percent: current.percent,
    startTime: base + task.events[0].offset,
    finishTime: isTerminalEvent(current) ? base + current.offset : null,
    failReason: current.failReason,
    inProgressAt: started ? base + started.offset : null,
    previewAt: preview ? base + preview.offset : null,
  };
}

function progressOf(stage: Stage): string | null {
  switch (stage.status) {
    case 'NOT_START':
    case 'MODAL':
      return null;
    case 'SUBMITTED':
      return '0%';
    case 'IN_PROGRESS':
      return `${stage.percent ?? 0}%`;
    case 'SUCCESS':
      return '100%';
    case 'FAILURE':
      return '';
  }
}

function finalImageUrl(task: SimTask, finishedAt: number, ctx: ViewContext): string | null {
  if (task.action === 'DESCRIBE') return task.uploads[0] ?? null;
  if (task.action === 'SHORTEN') return null;
  return ctx.media.url({
    channel: task.accountId,
    attachment: snowflake(finishedAt, `final:${task.id}`),
    file: `${DISCORD_USER}_${slugOf(task.promptEn ?? task.finalPrompt)}_${task.hash}.png`,
    issuedAt: finishedAt,
  });
}

function imageUrlOf(task: SimTask, stage: Stage, ctx: ViewContext): string | null {
  if (stage.status === 'SUCCESS' && stage.finishTime !== null)
    return finalImageUrl(task, stage.finishTime, ctx);
  if (stage.previewAt === null) return null;
  return ctx.media.url({
    channel: task.accountId,
    attachment: snowflake(stage.previewAt, `preview:${task.id}`),
    file: `${task.hash}_grid_0.webp`,
    issuedAt: stage.previewAt,
  });
}

function videoUrls(task: SimTask, stage: Stage, ctx: ViewContext): Array<{ url: string }> {
  if (stage.status !== 'SUCCESS' || stage.finishTime === null) return [];
  const issuedAt = stage.finishTime;
  return [0, 1, 2, 3].map((i) => ({
    url: ctx.media.url({
      channel: task.accountId,
      attachment: snowflake(issuedAt, `video:${i}:${task.id}`),
      file: `${task.hash}_${i}.mp4`,
      issuedAt,
    }),
  }));
}

/** The prompt fields: J rewrites them once uploads are done (IMAGINE) or from the result (DESCRIBE, BLEND). */
function promptsOf(task: SimTask, stage: Stage): Pick<MjTaskJson, 'prompt' | 'promptEn' | 'description'> {
  const done = stage.status === 'SUCCESS';
  if (done && (task.action === 'DESCRIBE' || task.action === 'BLEND')) {
    return { prompt: task.finalPrompt, promptEn: task.finalPrompt, description: task.description };
  }
  if (task.action === 'IMAGINE' && task.uploads.length > 0 && stage.startTime !== null) {
    const links = task.uploads.join(' ');
    return {
      prompt: `${links} ${task.prompt}`,
      promptEn: `${links} ${task.promptEn}`,
      description: `/imagine ${links} ${task.promptEn}`,
    };
  }
  return { prompt: task.prompt, promptEn: task.promptEn, description: task.description };
}

function propertiesOf(task: SimTask, stage: Stage): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    notifyHook: task.notifyHook,
    nonce: task.nonce,
    discordInstanceId: task.accountId,
    ...task.extraProperties,
  };
  if (stage.inProgressAt !== null) {
    properties.progressMessageId = snowflake(stage.inProgressAt, `progress:${task.id}`);
    properties.finalPrompt = task.finalPrompt;
  }
  if (stage.previewAt !== null) properties.messageHash = task.hash;
  if (stage.status === 'SUCCESS' && stage.finishTime !== null) {
    properties.finalPrompt = task.finalPrompt;
    properties.messageHash = task.hash;
    properties.messageId = snowflake(stage.finishTime, `message:${task.id}`);
    properties.flags = 0;
  }
  return properties;
}

/** The Task JSON for a stage of the task's life. */
export function composeView(task: SimTask, stage: Stage, ctx: ViewContext): MjTaskJson {
  const view: MjTaskJson = {
    id: task.id,
    action: task.action,
    status: stage.status,
    ...promptsOf(task, stage),
    state: task.state,
    submitTime: task.submitTime,
    startTime: stage.startTime,
    finishTime: stage.finishTime,
    imageUrl: imageUrlOf(task, stage, ctx),
    progress: progressOf(stage),
    failReason: stage.failReason,
    properties: propertiesOf(task, stage),
  };
  if (ctx.mode === 'P') {
    view.buttons = stage.status === 'SUCCESS' ? buttonsFor(task.action, task.hash, task.candidates) : [];
  }
  if (task.action === 'VIDEO') {
    view.videoUrls = videoUrls(task, stage, ctx);
    view.videoUrl = view.videoUrls[0]?.url ?? null;
  }
  return view;
}

/** The Task JSON at simulated time `at` (a forced state wins from the moment it was forced). */
export function viewAt(task: SimTask, at: number, ctx: ViewContext): MjTaskJson {
  if (task.forced && at >= task.forced.at) return task.forced.view;
  return composeView(task, stageAt(task, at), ctx);
}
