// The upstream protocols a channel can speak, new-api's numeric type aliases, and the models each serves by default.
export const CHANNEL_TYPES = ['midjourney', 'midjourney-plus', 'suno', 'openai-video'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

const NUMERIC_ALIASES: Record<string, ChannelType> = {
  '2': 'midjourney',
  '5': 'midjourney-plus',
  '36': 'suno',
  '55': 'openai-video',
};

export function parseChannelType(value: string | number): ChannelType | null {
  const text = String(value);
  if ((CHANNEL_TYPES as readonly string[]).includes(text)) return text as ChannelType;
  // Own keys only: `constructor` or `__proto__` are not channel types.
  return Object.hasOwn(NUMERIC_ALIASES, text) ? NUMERIC_ALIASES[text] : null;
}

const MJ_BASIC = [
  'mj_imagine',
  'mj_variation',
  'mj_reroll',
  'mj_upscale',
  'mj_describe',
  'mj_blend',
  'mj_upload',
];
const MJ_PLUS = [
  ...MJ_BASIC,
  'mj_modal',
  'mj_shorten',
  'mj_zoom',
  'mj_custom_zoom',
  'mj_pan',
  'mj_high_variation',
  'mj_low_variation',
  'mj_inpaint',
  'mj_video',
  'mj_edits',
  'swap_face',
];

export const DEFAULT_CHANNEL_MODELS: Record<ChannelType, string[]> = {
  midjourney: MJ_BASIC,
  'midjourney-plus': MJ_PLUS,
  suno: ['suno_music', 'suno_lyrics'],
  'openai-video': ['sora-2', 'sora-2-pro'],
};

/** The task platform a channel type serves. */
export function platformOfChannelType(type: string): 'midjourney' | 'suno' | 'openai-video' | null {
  if (type === 'midjourney' || type === 'midjourney-plus') return 'midjourney';
  if (type === 'suno' || type === 'openai-video') return type;
  return null;
}
