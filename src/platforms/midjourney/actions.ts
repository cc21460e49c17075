// Midjourney actions: which upstream route a client request means, which model prices it, and how
// midjourney-proxy's button customIds and simple-change commands map to actions.

/** Actions that are never charged: they are paid through the MODAL that follows (new-api's rule). */
export const FREE_ACTIONS = new Set(['INPAINT', 'CUSTOM_ZOOM']);

/** The pricing and routing model of an action: `mj_<action>`, except face swap. */
export const mjModel = (action: string): string =>
  action === 'SWAP_FACE' ? 'swap_face' : `mj_${action.toLowerCase()}`;

export interface ParsedAction {
  action: string;
  index: number;
}

/** new-api's customId rules, extended to the plus/trueai buttons it missed (PicReader, animate, video upscale). */
export function parseCustomId(customId: string): ParsedAction | null {
  const parts = customId.split('::');
  if (parts[0] !== 'MJ' || parts.length < 2) return null;
  const job = parts[1].toUpperCase() === 'JOB';
  const kind = job ? (parts[2] ?? '') : parts[1];
  const index = Number.parseInt(parts[job ? 3 : 2] ?? '1', 10);
  const at = Number.isInteger(index) && index >= 0 && index <= 4 ? index : 1;
  if (kind === 'upsample' || kind.startsWith('upsample_') || kind === 'video_virtual_upscale') {
    return { action: 'UPSCALE', index: at };
  }
  if (kind === 'variation') return { action: 'VARIATION', index: at };
  if (kind === 'low_variation') return { action: 'LOW_VARIATION', index: 1 };
  if (kind === 'high_variation') return { action: 'HIGH_VARIATION', index: 1 };
  if (kind.startsWith('pan')) return { action: 'PAN', index: 1 };
  if (kind === 'reroll') return { action: 'REROLL', index: 1 };
  if (kind === 'Outpaint') return { action: 'ZOOM', index: 1 };
  if (kind === 'CustomZoom') return { action: 'CUSTOM_ZOOM', index: 1 };
  if (kind === 'Inpaint') return { action: 'INPAINT', index: 1 };
  if (kind.startsWith('animate')) return { action: 'VIDEO', index: 1 };
  if (kind === 'PicReader') return { action: 'IMAGINE', index: at };
  if (kind === 'Picread') return { action: 'DESCRIBE', index: 1 };
  if (kind === 'PromptAnalyzer') return { action: 'SHORTEN', index: 1 };
  return null;
}

/** `"<taskId> U1".."V4"` or `"<taskId> R"` (midjourney-proxy's simple-change; broken in new-api). */
export function parseSimpleChange(content: string): { taskId: string; action: string; index: number } | null {
  const parts = content.trim().split(/\s+/);
  if (parts.length !== 2) return null;
  const [taskId, command] = parts;
  const match = /^([UuVv])([1-4])$/.exec(command);
  if (match)
    return {
      taskId,
      action: match[1].toUpperCase() === 'U' ? 'UPSCALE' : 'VARIATION',
      index: Number(match[2]),
    };
  if (command.toUpperCase() === 'R') return { taskId, action: 'REROLL', index: 1 };
  return null;
}

/** The change route's actions and their simple-change letters. */
export const CHANGE_ACTIONS: Record<string, string> = { UPSCALE: 'U', VARIATION: 'V', REROLL: 'R' };
