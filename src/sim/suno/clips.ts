// Clip and lyrics objects with Suno's full field set (reference §1.7), media URLs pointing at the simulator.
import { mp3Duration } from '../common/mp3.js';
import type { MusicSnapshot } from './timeline.js';
import type { MusicTask, SunoClip, SunoLyrics } from './types.js';

/** Real length of the served MP3 (and MP4): metadata.duration tells the truth about the files. */
export const SONG_SECONDS = mp3Duration(3);

const SIM_USER_ID = '5a1d0c3e-2b7f-4e61-9c0d-51a5c0de51a5';

const mediaPaths = {
  audio: (clipId: string) => `/suno-cdn/${clipId}.mp3`,
  video: (clipId: string) => `/suno-cdn/${clipId}.mp4`,
  image: (clipId: string) => `/suno-cdn/image_${clipId}.png`,
  imageLarge: (clipId: string) => `/suno-cdn/image_large_${clipId}.png`,
  stream: (clipId: string) => `/suno-audiopipe/?item_id=${clipId}`,
};

function titleCase(words: string): string {
  const picked = words
    .replace(/\bsim:\S+/g, '')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 4);
  return picked.map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join(' ') || 'Untitled';
}

/** Lyrics written "by Suno" for a description or a lyrics prompt. */
export function writtenLyrics(about: string): string {
  const theme = about.replace(/\bsim:\S+/g, '').trim() || 'the night';
  return `[Verse]\nWe sang about ${theme}\nUnder a simulated sky\n\n[Chorus]\n${titleCase(theme)}, ${titleCase(theme)}\nNever asking why`;
}

export function lyricsObject(id: string, prompt: string, status: string, text: string): SunoLyrics {
  return { id, status, title: status === 'complete' ? titleCase(prompt) : '', text };
}

/** Suno's model names for an `mv` such as chirp-v3-5. */
function modelOf(mv: string): { model_name: string; major_model_version: string } {
  const match = /^chirp-(v\d+)(?:-(\d+))?/.exec(mv);
  if (!match) return { model_name: 'chirp-v3', major_model_version: 'v3' };
  const major = match[2] && match[2] !== '0' ? `${match[1]}.${match[2]}` : match[1];
  return { model_name: `chirp-${match[1]}`, major_model_version: major };
}

export function musicClips(task: MusicTask, snapshot: MusicSnapshot, mediaBase: string): SunoClip[] {
  const request = task.request;
  const inspired = request.gpt_description_prompt !== '';
  return task.clipIds.map((id, index) => {
    const status = snapshot.clipStatuses[index];
    const audible = status === 'streaming' || status === 'complete';
    const complete = status === 'complete';
    const history = request.continue_clip_id
      ? [{ id: request.continue_clip_id, continue_at: request.continue_at, type: 'gen', source: 'web' }]
      : null;
    return {
      id,
      video_url: complete ? mediaBase + mediaPaths.video(id) : '',
      audio_url: complete
        ? mediaBase + mediaPaths.audio(id)
        : audible
          ? mediaBase + mediaPaths.stream(id)
          : '',
      image_url: audible ? mediaBase + mediaPaths.image(id) : '',
      image_large_url: audible ? mediaBase + mediaPaths.imageLarge(id) : '',
      is_video_pending: false,
      ...modelOf(request.mv),
      metadata: {
        tags: inspired ? (audible ? 'simulated pop' : '') : request.tags,
        prompt: inspired ? (audible ? writtenLyrics(request.gpt_description_prompt) : '') : request.prompt,
        gpt_description_prompt: inspired ? request.gpt_description_prompt : null,
        audio_prompt_id: null,
        history,
        concat_history: null,
        type: 'gen',
        duration: complete ? SONG_SECONDS : null,
        refund_credits: false,
        stream: true,
        error_type: status === 'error' ? 'generation_error' : null,
        error_message: snapshot.clipErrors[index],
      },
      is_liked: false,
      user_id: SIM_USER_ID,
      display_name: 'SunoSimulator',
      handle: 'sunosimulator',
      is_handle_updated: false,
      is_trashed: false,
      reaction: null,
      created_at: new Date(task.submittedAt).toISOString(),
      status,
      title: request.title || titleCase(request.gpt_description_prompt || request.prompt),
      play_count: 0,
      upvote_count: 0,
      is_public: false,
    };
  });
}
