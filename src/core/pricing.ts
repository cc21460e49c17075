// Prices per model in units; quota = price × group ratio × QuotaPerUnit (new-api's arithmetic).
export const QUOTA_PER_UNIT = 500_000;

/** new-api's default per-call prices, plus Suno and video models (video prices are per second). */
export const DEFAULT_MODEL_PRICES: Record<string, number> = {
  mj_imagine: 0.1,
  mj_variation: 0.1,
  mj_reroll: 0.1,
  mj_blend: 0.1,
  mj_modal: 0.1,
  mj_zoom: 0.1,
  mj_shorten: 0.1,
  mj_high_variation: 0.1,
  mj_low_variation: 0.1,
  mj_pan: 0.1,
  mj_inpaint: 0,
  mj_custom_zoom: 0,
  mj_describe: 0.05,
  mj_upscale: 0.05,
  mj_upload: 0.05,
  mj_video: 0.4,
  mj_edits: 0.1,
  swap_face: 0.05,
  suno_music: 0.3,
  suno_lyrics: 0.01,
  'sora-2': 0.1,
  'sora-2-pro': 0.3,
};

export const DEFAULT_GROUP_RATIOS: Record<string, number> = { default: 1, vip: 1, svip: 1 };

/** Price used for a model that has none configured (new-api's fallback). */
export const FALLBACK_PRICE = 0.1;

export function quotaFor(price: number, groupRatio: number, multiplier = 1): number {
  return Math.round(price * groupRatio * multiplier * QUOTA_PER_UNIT);
}
