// Plus-mode buttons with the exact customId shapes clients parse (reference 1.3), and what clicking one
// through /submit/action does (reference 1.5 and the modal flow in 2.2).
import type { MjButton, TaskAction } from './types.js';

function button(customId: string, label: string, emoji = ''): MjButton {
  return { customId, emoji, label, type: 2, style: 2 };
}

function gridButtons(hash: string): MjButton[] {
  const upscales = [1, 2, 3, 4].map((n) => button(`MJ::JOB::upsample::${n}::${hash}`, `U${n}`));
  const variations = [1, 2, 3, 4].map((n) => button(`MJ::JOB::variation::${n}::${hash}`, `V${n}`));
  return [...upscales, button(`MJ::JOB::reroll::0::${hash}::SOLO`, '', '🔄'), ...variations];
}

function upscaleButtons(hash: string): MjButton[] {
  return [
    button(`MJ::JOB::upsample_v6_2x_subtle::1::${hash}::SOLO`, 'Upscale (Subtle)'),
    button(`MJ::JOB::upsample_v6_2x_creative::1::${hash}::SOLO`, 'Upscale (Creative)'),
    button(`MJ::JOB::low_variation::1::${hash}::SOLO`, 'Vary (Subtle)', '🪄'),
    button(`MJ::JOB::high_variation::1::${hash}::SOLO`, 'Vary (Strong)', '🪄'),
    button(`MJ::Inpaint::1::${hash}::SOLO`, 'Vary (Region)', '🖌️'),
    button(`MJ::Outpaint::50::1::${hash}::SOLO`, 'Zoom Out 2x', '🔍'),
    button(`MJ::Outpaint::75::1::${hash}::SOLO`, 'Zoom Out 1.5x', '🔍'),
    button(`MJ::CustomZoom::${hash}`, 'Custom Zoom', '🔍'),
    button(`MJ::JOB::pan_left::1::${hash}::SOLO`, '', '⬅️'),
    button(`MJ::JOB::pan_right::1::${hash}::SOLO`, '', '➡️'),
    button(`MJ::JOB::pan_up::1::${hash}::SOLO`, '', '⬆️'),
    button(`MJ::JOB::pan_down::1::${hash}::SOLO`, '', '⬇️'),
    button(`MJ::BOOKMARK::${hash}`, '', '❤️'),
    button(`MJ::JOB::reroll::0::${hash}::SOLO`, '', '🔄'),
  ];
}

/** The buttons a SUCCESS task of this action carries. */
export function buttonsFor(action: TaskAction, hash: string, candidates: string[]): MjButton[] {
  switch (action) {
    case 'IMAGINE':
    case 'VARIATION':
    case 'REROLL':
    case 'BLEND':
    case 'ZOOM':
    case 'PAN':
    case 'EDIT':
      return gridButtons(hash);
    case 'UPSCALE':
      return upscaleButtons(hash);
    case 'DESCRIBE':
      return [
        ...candidates.map((text, i) => button(`MJ::Job::PicReader::${i + 1}`, text.slice(0, 80))),
        button('MJ::Picread::Retry', '', '🔄'),
      ];
    case 'SHORTEN':
      return candidates.map((_, i) => button(`MJ::Job::PromptAnalyzer::${i + 1}`, `${i + 1}`));
    case 'VIDEO':
      return [1, 2, 3, 4].map((n) => button(`MJ::JOB::video_virtual_upscale::${n}::${hash}`, `U${n}`));
    case 'SWAP_FACE':
      return [];
  }
}

export function isBookmark(customId: string): boolean {
  return customId.startsWith('MJ::BOOKMARK::');
}

/** The action of the task a button click creates (T's mapping; plus has no UPSCALE_HD, so HD is UPSCALE). */
export function actionForCustomId(customId: string, parentAction: TaskAction): TaskAction | null {
  const parts = customId.split('::');
  if (parts[0] !== 'MJ') return null;
  if (parts[1] === 'JOB') {
    const name = parts[2] ?? '';
    if (name.startsWith('upsample') || name === 'video_virtual_upscale') return 'UPSCALE';
    if (name === 'variation' || name === 'low_variation' || name === 'high_variation') return 'VARIATION';
    if (name.startsWith('pan_')) return 'PAN';
    if (name.startsWith('animate_')) return 'VIDEO';
    // A reroll keeps the parent's action; rerolling an upscale redraws the original grid.
    if (name === 'reroll') return parentAction === 'UPSCALE' ? 'IMAGINE' : parentAction;
    return null;
  }
  if (parts[1] === 'Inpaint') return 'VARIATION';
  if (parts[1] === 'Outpaint' || parts[1] === 'CustomZoom') return 'ZOOM';
  if (parts[1] === 'Picread') return 'DESCRIBE';
  if (parts[1] === 'Job' && (parts[2] === 'PicReader' || parts[2] === 'PromptAnalyzer')) return 'IMAGINE';
  return null;
}

const REMIXABLE = /^MJ::JOB::(reroll|variation|low_variation|high_variation|pan_\w+)::/;

/** Buttons that open a popup: their task waits in MODAL for /submit/modal (code 21). */
export function needsModal(customId: string, enableRemix: boolean): boolean {
  if (/^MJ::(CustomZoom|Inpaint)::|^MJ::Job::(PicReader|PromptAnalyzer)::/.test(customId)) return true;
  return enableRemix && REMIXABLE.test(customId);
}
