// Submits that start a new job on a freshly chosen account: imagine, describe, blend (J), and shorten,
// video, edits, face swap and image upload (plus). Checks run in J's order (reference 2.2).
import type { FastifyInstance } from 'fastify';
import type { Answer } from '../common/faults.js';
import type { Directives } from './directives.js';
import { bannedPrompt, invalid, notFound, springError, submitResult, TEXT } from './results.js';
import type { MidjourneySimState, TaskFields } from './state.js';
import {
  bannedWordIn,
  imageExt,
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

const KEYCAPS = ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣'];
const DESCRIBE_CANDIDATES = [
  'a flat square of one solid colour, minimalist, matte finish --ar 1:1',
  'an abstract colour field painting, soft even light --ar 1:1',
  'a plain studio backdrop in a single tone, no subject --ar 1:1',
  'a monochrome poster with no details, flat design --ar 1:1',
];
const BLEND_RATIOS: Record<string, string> = { PORTRAIT: '2:3', SQUARE: '1:1', LANDSCAPE: '3:2' };

function numbered(lines: string[]): string {
  return lines.map((line, i) => `${KEYCAPS[i]} ${line}`).join('\n\n');
}

/** SHORTEN's candidates: the prompt with fewer and fewer of its words. */
function shortened(prompt: string): string[] {
  const words = prompt.split(/\s+/).filter((w) => !w.startsWith('sim:'));
  return [1, 0.8, 0.6, 0.4, 0.2].map((share) =>
    words.slice(0, Math.max(1, Math.ceil(words.length * share))).join(' '),
  );
}

/** An image given as a data URL (uploaded) or as an http(s) link (kept). */
function imageSource(value: unknown): { ext: string } | { link: string } | null {
  if (typeof value === 'string' && /^https?:\/\//.test(value)) return { link: value };
  const ext = imageExt(value);
  return ext ? { ext } : null;
}

/** The new task's common fields, on a chosen account, or the code 3 answer when no account is alive. */
function onChosenAccount(
  state: MidjourneySimState,
  body: SubmitBody,
  directives: Directives,
  build: (
    id: string,
    accountId: string,
  ) => Omit<TaskFields, 'accountId' | 'state' | 'notifyHook' | 'directives'>,
): Answer {
  const account = state.chooseAccount();
  if (!account) return ok(notFound(TEXT.noAccount));
  const accountId = account.config.id;
  return ok(
    submitTask(state, (id) => ({
      ...build(id, accountId),
      accountId,
      state: stateOf(body),
      notifyHook: notifyHookOf(body, state),
      directives,
    })),
  );
}

function imagine(state: MidjourneySimState): SubmitHandler {
  return (body, directives) => {
    const prompt = text(body, 'prompt');
    if (!prompt) return ok(invalid(TEXT.promptBlank));
    let script = directives;
    const banned = bannedWordIn(prompt, state.knobs.bannedWords);
    if (banned && state.knobs.bannedPromptCheck === 'submit') return ok(bannedPrompt(prompt, banned));
    if (banned) script = { ...directives, outcome: { kind: 'fail', atPercent: 0, reason: TEXT.banned } };
    const images = [
      ...(Array.isArray(body.base64Array) ? body.base64Array : []),
      ...(body.base64 ? [body.base64] : []),
    ];
    const exts = images.map(imageExt);
    if (exts.some((ext) => ext === null)) return ok(invalid(TEXT.base64Format));
    return onChosenAccount(state, body, script, (id, accountId) => ({
      action: 'IMAGINE',
      prompt,
      promptEn: prompt,
      description: `/imagine ${prompt}`,
      finalPrompt: `${prompt} --v 6.1`,
      uploads: exts.map((ext, i) => state.uploadUrl(id, accountId, i, ext!)),
    }));
  };
}

function describe(state: MidjourneySimState): SubmitHandler {
  return (body, directives) => {
    if (!text(body, 'base64')) return ok(invalid(TEXT.base64Blank));
    const ext = imageExt(body.base64);
    if (!ext) return ok(invalid(TEXT.base64Format));
    return onChosenAccount(state, body, directives, (id, accountId) => ({
      action: 'DESCRIBE',
      prompt: null,
      promptEn: null,
      description: `/describe ${id}.${ext}`,
      finalPrompt: numbered(DESCRIBE_CANDIDATES),
      candidates: DESCRIBE_CANDIDATES,
      uploads: [state.uploadUrl(id, accountId, 0, ext)],
    }));
  };
}

function blend(state: MidjourneySimState): SubmitHandler {
  return (body, directives) => {
    const images = body.base64Array;
    if (!Array.isArray(images) || images.length < 2 || images.length > 5) return ok(invalid(TEXT.base64List));
    if ('dimensions' in body && body.dimensions === null) return ok(invalid(TEXT.dimensions));
    const dimensions = body.dimensions ?? 'SQUARE';
    // An unknown enum value fails Jackson's parsing: HTTP 400, not a code.
    if (typeof dimensions !== 'string' || !Object.hasOwn(BLEND_RATIOS, dimensions)) {
      return { status: 400, body: springError(400, '/mj/submit/blend', state.now()) };
    }
    const exts = images.map(imageExt);
    if (exts.some((ext) => ext === null)) return ok(invalid(TEXT.base64Format));
    return onChosenAccount(state, body, directives, (id, accountId) => {
      const uploads = exts.map((ext, i) => state.uploadUrl(id, accountId, i, ext!));
      const links = uploads.map((_, i) => `<https://s.mj.run/${id.slice(-6)}${i}>`).join(' ');
      return {
        action: 'BLEND',
        prompt: null,
        promptEn: null,
        description: `/blend ${id} ${images.length}`,
        finalPrompt: `${links} --ar ${BLEND_RATIOS[dimensions]}`,
        uploads,
      };
    });
  };
}

function shorten(state: MidjourneySimState): SubmitHandler {
  return (body, directives) => {
    const prompt = text(body, 'prompt');
    if (!prompt) return ok(invalid(TEXT.promptBlank));
    const candidates = shortened(prompt);
    return onChosenAccount(state, body, directives, () => ({
      action: 'SHORTEN',
      prompt,
      promptEn: prompt,
      description: `/shorten ${prompt}`,
      finalPrompt: `**Shortened prompts**\n\n${numbered(candidates)}`,
      candidates,
    }));
  };
}

/** VIDEO (image + prompt) and EDIT (prompt + image): one source image, a grid-like timeline. */
function fromImage(state: MidjourneySimState, action: 'VIDEO' | 'EDIT'): SubmitHandler {
  return (body, directives) => {
    const prompt = text(body, 'prompt') ?? '';
    if (action === 'EDIT' && !prompt) return ok(invalid(TEXT.promptBlank));
    if (!body.image) return ok(invalid(TEXT.base64Blank));
    const source = imageSource(body.image);
    if (!source) return ok(invalid(TEXT.base64Format));
    const motion = text(body, 'motion') ?? 'low';
    return onChosenAccount(state, body, directives, (id, accountId) => ({
      action,
      prompt,
      promptEn: prompt,
      description: action === 'VIDEO' ? `/video ${prompt}` : `/edit ${prompt}`,
      finalPrompt: action === 'VIDEO' ? `${prompt} --motion ${motion} --video 1` : `${prompt} --v 7`,
      uploads: ['link' in source ? source.link : state.uploadUrl(id, accountId, 0, source.ext)],
    }));
  };
}

function swapFace(state: MidjourneySimState): SubmitHandler {
  return (body, directives) => {
    if (!body.sourceBase64 || !body.targetBase64) return ok(invalid(TEXT.base64Blank));
    const exts = [imageExt(body.sourceBase64), imageExt(body.targetBase64)];
    if (exts.some((ext) => ext === null)) return ok(invalid(TEXT.base64Format));
    return onChosenAccount(state, body, directives, (id, accountId) => ({
      action: 'SWAP_FACE',
      prompt: null,
      promptEn: null,
      description: '/swap',
      finalPrompt: '',
      uploads: exts.map((ext, i) => state.uploadUrl(id, accountId, i, ext!)),
    }));
  };
}

/** No task: the images are "uploaded" and their Discord URLs returned at once. */
function uploadImages(state: MidjourneySimState): SubmitHandler {
  return (body) => {
    const images = body.base64Array;
    if (!Array.isArray(images) || images.length === 0) return ok(invalid(TEXT.base64List));
    const exts = images.map(imageExt);
    if (exts.some((ext) => ext === null)) return ok(invalid(TEXT.base64Format));
    const account = state.chooseAccount();
    if (!account) return ok(notFound(TEXT.noAccount));
    const batch = `${state.now()}`;
    const urls = exts.map((ext, i) => state.uploadUrl(batch, account.config.id, i, ext!));
    return ok(submitResult(1, TEXT.submitted, urls));
  };
}

/** Registers the new-job submit routes; returns the patterns that exist in P mode only. */
export function registerSubmitRoutes(app: FastifyInstance, state: MidjourneySimState): string[] {
  const routes: Array<[string, SubmitHandler, boolean]> = [
    ['/mj/submit/imagine', imagine(state), false],
    ['/mj/submit/describe', describe(state), false],
    ['/mj/submit/blend', blend(state), false],
    ['/mj/submit/shorten', shorten(state), true],
    ['/mj/submit/video', fromImage(state, 'VIDEO'), true],
    ['/mj/submit/edits', fromImage(state, 'EDIT'), true],
    ['/mj/insight-face/swap', swapFace(state), true],
    ['/mj/submit/upload-discord-images', uploadImages(state), true],
  ];
  for (const [url, handle] of routes) {
    app.post(url, { bodyLimit: SUBMIT_BODY_LIMIT }, (request, reply) =>
      runSubmit(state, request, reply, handle),
    );
  }
  return routes.filter(([, , plus]) => plus).map(([url]) => url);
}
