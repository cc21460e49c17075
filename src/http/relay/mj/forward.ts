// What Taskgate sends upstream for a midjourney-proxy submit: the client's body with Taskgate's ids translated
// to the upstream's, the client's notifyHook replaced (Taskgate calls it itself), and the options applied.
import type { Options } from '../../../services/options.js';
import type { ChannelRow } from '../../../store/schema.js';

const MODE_FLAGS = /\s--(fast|relax|turbo)\b/g;

export interface ForwardContext {
  options: Options;
  serverAddress: string;
}

export function forwardBody(
  body: Record<string, unknown>,
  channel: ChannelRow,
  ctx: ForwardContext,
  replacements: Record<string, unknown> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body, ...replacements };
  // A null field is one the client left out (Java and Go clients send null for those): leave it out too.
  for (const [name, value] of Object.entries(out)) if (value === null) delete out[name];
  delete out.notifyHook;
  // With push on, the upstream calls Taskgate, which applies the update through the same fenced path as polling.
  if (channel.push) out.notifyHook = `${ctx.serverAddress}/mj/notify/${channel.id}/${channel.push_secret}`;
  if (!ctx.options.get('MjAccountFilterEnabled')) delete out.accountFilter;
  if (ctx.options.get('MjModeClearEnabled') && typeof out.prompt === 'string') {
    out.prompt = out.prompt.replace(MODE_FLAGS, '');
  }
  return out;
}
