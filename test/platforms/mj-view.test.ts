// The fetch route sends mjTaskJson's text as it is, unserialised: it must read back as exactly what mjTaskObject
// builds (the object every other route serialises through the TaskObject schema), for every kind of row.
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { TaskObject } from '../../src/http/relay/mj/schemas.js';
import { type MjViewRow, mjTaskJson, mjTaskObject } from '../../src/platforms/midjourney/view.js';

const base: MjViewRow = {
  task_id: '1732000000000123',
  action: 'IMAGINE',
  status: 'SUCCESS',
  progress: '100%',
  prompt: 'a lighthouse at dusk --ar 3:2',
  prompt_en: 'a lighthouse at dusk --ar 3:2',
  description: 'Submit success',
  state: '',
  submit_time: 1_732_000_000_000,
  start_time: 1_732_000_001_000,
  finish_time: 1_732_000_060_000,
  image_url: 'https://cdn.example.com/a.png',
  video_url: '',
  video_urls: '[]',
  fail_reason: '',
  properties: JSON.stringify({ finalPrompt: 'a lighthouse', messageHash: 'x' }),
  buttons: JSON.stringify([
    { customId: 'MJ::JOB::upsample::1::abc', emoji: '', label: 'U1', type: 2, style: 2 },
  ]),
};

const rows: Record<string, MjViewRow> = {
  'a finished imagine': base,
  'a task not started (no times, no media, empty JSON columns)': {
    ...base,
    status: 'NOT_START',
    progress: '0%',
    start_time: 0,
    finish_time: 0,
    image_url: '',
    properties: '{}',
    buttons: '[]',
  },
  'a failure with a reason': { ...base, status: 'FAILURE', progress: '', fail_reason: 'banned prompt "x"' },
  'text that needs escaping': {
    ...base,
    prompt: 'quotes " backslash \\ newline \n tab \t NUL-free control \u0001 emoji 🌅 中文 </script>',
    description: '\u2028line separator\u2029',
    state: '{"not":"json to us"}',
  },
  videos: {
    ...base,
    action: 'VIDEO',
    video_url: 'https://cdn.example.com/v.mp4',
    video_urls: JSON.stringify(['https://cdn.example.com/0.mp4', '', 'https://cdn.example.com/2.mp4']),
  },
  'empty or foreign JSON columns': { ...base, properties: '', buttons: 'null', video_urls: '' },
  'JSON columns of the other kind': { ...base, properties: '[1]', buttons: '{"a":1}' },
};

const signer = (path: string) => `https://tg.example${path}?exp=1&sig=s`;

describe('mjTaskJson', () => {
  for (const [name, row] of Object.entries(rows)) {
    for (const [mode, media] of [
      ['forwarded through Taskgate', signer],
      ['upstream URLs as they are', null],
    ] as const) {
      it(`reads back as mjTaskObject: ${name}, ${mode}`, () => {
        const parsed = JSON.parse(mjTaskJson(row, media));
        const object = mjTaskObject(row, media);
        expect(parsed).toEqual(object);
        expect(Value.Check(TaskObject, parsed)).toBe(true);
        expect(Object.keys(parsed).sort()).toEqual(Object.keys(TaskObject.properties).sort());
      });
    }
  }

  it('hands the stored properties and buttons text out unchanged', () => {
    const text = mjTaskJson(base, signer);
    expect(text).toContain(`"properties":${base.properties}`);
    expect(text).toContain(`"buttons":${base.buttons}`);
  });
});
