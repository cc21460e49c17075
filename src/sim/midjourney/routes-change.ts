// Follow-ups on an existing task, run on the parent's account: J's change and simple-change, plus's
// action (a button click, possibly opening a MODAL) and modal (the popup's confirmation).
import type { FastifyInstance } from 'fastify';
import type { Answer } from '../common/faults.js';
import { actionForCustomId, isBookmark, needsModal } from './buttons.js';
import type { Directives } from './directives.js';
import {
  accepted,
  bannedPrompt,
  invalid,
  notFound,
  queueFull,
  springError,
  submitResult,
  TEXT,
} from './results.js';
import type { MidjourneySimState } from './state.js';
import {
  bannedWordIn,
  notifyHookOf,
  ok,
  runSubmit,
  SUBMIT_BODY_LIMIT,
  type SubmitBody,
  type SubmitHandler,
  stateOf,
  submitTask,
  text,
} from './submit-common.js';
import type { MjTaskJson, SimTask, TaskAction } from './types.js';

const J_ACTIONS = ['IMAGINE', 'UPSCALE', 'VARIATION', 'REROLL', 'DESCRIBE', 'BLEND'];
const CHANGEABLE: readonly TaskAction[] = ['IMAGINE', 'VARIATION', 'REROLL', 'BLEND'];
/** Code 3 on a missing parent comes with HTTP 404 on the plus routes (T's behaviour). */
const PARENT_MISSING_PLUS: Answer = { status: 404, body: notFound(TEXT.parentMissing) };

type Parent = { task: SimTask; view: MjTaskJson };

/** The parent with its current view, or the answer that refuses it (missing 3, not SUCCESS 4). */
function successfulParent(state: MidjourneySimState, taskId: string, missing: Answer): Parent | Answer {
  const task = state.tasks.get(taskId);
  if (!task) return missing;
  const view = state.view(task);
  if (view.status !== 'SUCCESS') return ok(invalid(TEXT.parentStatus));
  return { task, view };
}

function accountDown(state: MidjourneySimState, task: SimTask): Answer | null {
  return state.accounts.get(task.accountId)?.config.enabled
    ? null
    : ok(notFound(`账号不可用: ${task.accountId}`));
}

/** Creates the child task of a parent's button. */
function child(
  state: MidjourneySimState,
  body: SubmitBody,
  directives: Directives,
  parent: Parent,
  action: TaskAction,
  label: string,
  extra: { prompt?: string; customId?: string; modal?: boolean } = {},
): Answer {
  const messageId = parent.view.properties.messageId;
  const prompt = extra.prompt ?? parent.view.prompt;
  const finalPrompt = extra.prompt ? `${extra.prompt} --v 6.1` : parent.task.finalPrompt;
  return ok(
    submitTask(
      state,
      () => ({
        action,
        accountId: parent.task.accountId,
        prompt,
        promptEn: extra.prompt ?? parent.view.promptEn,
        description: `/up ${parent.task.id} ${label}`,
        state: stateOf(body),
        notifyHook: notifyHookOf(body, state),
        finalPrompt,
        extraProperties: { progressMessageId: messageId, referencedMessageId: messageId },
        // A describe retry reads the same source image again.
        ...(action === 'DESCRIBE'
          ? { uploads: parent.task.uploads, candidates: parent.task.candidates }
          : {}),
        parentId: parent.task.id,
        customId: extra.customId ?? null,
        directives,
      }),
      { modal: extra.modal },
    ),
  );
}

/** J's /change rules, shared by change and simple-change. */
function changeFrom(
  state: MidjourneySimState,
  body: SubmitBody,
  directives: Directives,
  taskId: string,
  action: string,
  index: unknown,
): Answer {
  const parent = successfulParent(state, taskId, ok(notFound(TEXT.parentMissing)));
  if (!('task' in parent)) return parent;
  if (!CHANGEABLE.includes(parent.task.action)) return ok(invalid(TEXT.parentNoChange));
  const down = accountDown(state, parent.task);
  if (down) return down;
  if (action === 'REROLL') return child(state, body, directives, parent, 'REROLL', 'R');
  // J builds the button id from a null index and fails with a 500.
  if (index === null || index === undefined)
    return { status: 500, body: springError(500, '/mj/submit/change', state.now()) };
  const n = Number(index);
  // Discord refuses a button that does not exist: the task is accepted and then fails when sent.
  const script: Directives =
    Number.isInteger(n) && n >= 1 && n <= 4
      ? directives
      : { ...directives, outcome: { kind: 'fail', atPercent: 0, reason: 'Invalid Form Body' } };
  const letter = action === 'UPSCALE' ? 'U' : 'V';
  return child(state, body, script, parent, action as TaskAction, `${letter}${index}`);
}

function change(state: MidjourneySimState): SubmitHandler {
  return (body, directives) => {
    const taskId = text(body, 'taskId');
    if (!taskId) return ok(invalid(TEXT.taskIdBlank));
    const action = body.action;
    if (typeof action !== 'string' || !J_ACTIONS.includes(action)) {
      return { status: 400, body: springError(400, '/mj/submit/change', state.now()) };
    }
    if (!['UPSCALE', 'VARIATION', 'REROLL'].includes(action)) return ok(invalid(TEXT.action));
    return changeFrom(state, body, directives, taskId, action, body.index);
  };
}

function simpleChange(state: MidjourneySimState): SubmitHandler {
  return (body, directives) => {
    const parts = (text(body, 'content') ?? '').split(' ');
    if (parts.length !== 2 || parts[0] === '') return ok(invalid(TEXT.content));
    const [taskId, command] = [parts[0], parts[1].toLowerCase()];
    if (command === 'r') return changeFrom(state, body, directives, taskId, 'REROLL', null);
    // J reads only the character after the letter.
    if (!/^[uv][1-4]/.test(command)) return ok(invalid(TEXT.content));
    const action = command[0] === 'u' ? 'UPSCALE' : 'VARIATION';
    return changeFrom(state, body, directives, taskId, action, Number(command.charAt(1)));
  };
}

function action(state: MidjourneySimState): SubmitHandler {
  return (body, directives) => {
    const taskId = text(body, 'taskId');
    const customId = text(body, 'customId');
    if (!taskId) return ok(invalid(TEXT.taskIdBlank));
    if (!customId) return ok(invalid(TEXT.action));
    const parent = successfulParent(state, taskId, PARENT_MISSING_PLUS);
    if (!('task' in parent)) return parent;
    if (isBookmark(customId)) return ok(submitResult(1, TEXT.submitted, parent.task.id));
    const button = parent.view.buttons?.find((b) => b.customId === customId);
    const newAction = button ? actionForCustomId(customId, parent.task.action) : null;
    if (!button || !newAction) return ok(invalid(TEXT.action));
    const down = accountDown(state, parent.task);
    if (down) return down;
    // A describe or shorten pick imagines that candidate prompt.
    const pick = /^MJ::Job::(PicReader|PromptAnalyzer)::(\d)/.exec(customId);
    return child(state, body, directives, parent, newAction, button.label || button.emoji, {
      prompt: pick ? parent.task.candidates[Number(pick[2]) - 1] : undefined,
      customId,
      modal: needsModal(customId, body.enableRemix === true),
    });
  };
}

function modal(state: MidjourneySimState): SubmitHandler {
  return (body, directives) => {
    const taskId = text(body, 'taskId');
    if (!taskId) return ok(invalid(TEXT.taskIdBlank));
    const task = state.tasks.get(taskId);
    if (!task) return PARENT_MISSING_PLUS;
    if (task.enqueuedAt !== null) return ok(invalid(TEXT.parentStatus));
    const prompt = text(body, 'prompt');
    const banned = prompt ? bannedWordIn(prompt, state.knobs.bannedWords) : null;
    if (prompt && banned && state.knobs.bannedPromptCheck === 'submit')
      return ok(bannedPrompt(prompt, banned));
    const down = accountDown(state, task);
    if (down) return down;
    if (prompt) Object.assign(task, { prompt, promptEn: prompt, finalPrompt: `${prompt} --v 6.1` });
    // Directives in the popup's prompt script the task from here on.
    if (directives.outcome.kind !== 'success') task.outcome = directives.outcome;
    if (banned) task.outcome = { kind: 'fail', atPercent: 0, reason: TEXT.banned };
    task.vanishAfterPolls = directives.vanishAfterPolls ?? task.vanishAfterPolls;
    task.pollFault = directives.pollFault ?? task.pollFault;
    const ahead = state.enqueue(task);
    if (ahead === null) return ok(queueFull(task.accountId, state.knobs.queueFullCode));
    return ok(accepted(task.id, task.accountId, ahead));
  };
}

/** Registers the follow-up routes; returns the patterns that exist in P mode only. */
export function registerChangeRoutes(app: FastifyInstance, state: MidjourneySimState): string[] {
  const routes: Array<[string, SubmitHandler, boolean]> = [
    ['/mj/submit/change', change(state), false],
    ['/mj/submit/simple-change', simpleChange(state), false],
    ['/mj/submit/action', action(state), true],
    ['/mj/submit/modal', modal(state), true],
  ];
  for (const [url, handle] of routes) {
    app.post(url, { bodyLimit: SUBMIT_BODY_LIMIT }, (request, reply) =>
      runSubmit(state, request, reply, handle),
    );
  }
  return routes.filter(([, , plus]) => plus).map(([url]) => url);
}
