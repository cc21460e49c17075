// midjourney-proxy's wire shapes. Submit bodies stay open: clients send many optional fields that pass through.
import { Type } from 'typebox';

const Open = { additionalProperties: true } as const;
const Base64 = Type.String({ minLength: 1, maxLength: 20 * 1024 * 1024 });
const Common = {
  state: Type.Optional(Type.String({ maxLength: 2000 })),
  notifyHook: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://' })),
};

export const SubmitBodies = {
  imagine: Type.Object(
    {
      ...Common,
      prompt: Type.String({ minLength: 1, maxLength: 8192 }),
      base64Array: Type.Optional(Type.Array(Base64, { maxItems: 5 })),
    },
    Open,
  ),
  describe: Type.Object(
    { ...Common, base64: Type.Optional(Base64), link: Type.Optional(Type.String({ maxLength: 2048 })) },
    Open,
  ),
  blend: Type.Object({ ...Common, base64Array: Type.Array(Base64, { minItems: 2, maxItems: 5 }) }, Open),
  shorten: Type.Object({ ...Common, prompt: Type.String({ minLength: 1, maxLength: 8192 }) }, Open),
  upload: Type.Object({ ...Common, base64Array: Type.Array(Base64, { minItems: 1, maxItems: 10 }) }, Open),
  video: Type.Object(
    {
      ...Common,
      prompt: Type.Optional(Type.String({ maxLength: 8192 })),
      taskId: Type.Optional(Type.String({ maxLength: 64 })),
    },
    Open,
  ),
  edits: Type.Object({ ...Common, prompt: Type.String({ minLength: 1, maxLength: 8192 }) }, Open),
  swap: Type.Object({ ...Common, sourceBase64: Base64, targetBase64: Base64 }, Open),
  change: Type.Object(
    {
      ...Common,
      taskId: Type.String({ minLength: 1, maxLength: 64 }),
      action: Type.Union([Type.Literal('UPSCALE'), Type.Literal('VARIATION'), Type.Literal('REROLL')]),
      index: Type.Optional(Type.Integer({ minimum: 1, maximum: 4 })),
    },
    Open,
  ),
  simpleChange: Type.Object({ ...Common, content: Type.String({ minLength: 1, maxLength: 100 }) }, Open),
  action: Type.Object(
    {
      ...Common,
      taskId: Type.String({ minLength: 1, maxLength: 64 }),
      customId: Type.String({ minLength: 1, maxLength: 500 }),
    },
    Open,
  ),
  modal: Type.Object(
    {
      ...Common,
      taskId: Type.String({ minLength: 1, maxLength: 64 }),
      prompt: Type.Optional(Type.String({ maxLength: 8192 })),
    },
    Open,
  ),
};

export const SubmitAnswer = Type.Object({
  code: Type.Integer(),
  description: Type.String(),
  result: Type.Unknown(),
  properties: Type.Record(Type.String(), Type.Unknown()),
});

export const MjError = Type.Object({ code: Type.Integer(), description: Type.String(), result: Type.Null() });

export const TaskObject = Type.Object({
  id: Type.String(),
  action: Type.String(),
  status: Type.String(),
  progress: Type.String(),
  prompt: Type.String(),
  promptEn: Type.String(),
  description: Type.String(),
  state: Type.String(),
  submitTime: Type.Integer(),
  startTime: Type.Union([Type.Integer(), Type.Null()]),
  finishTime: Type.Union([Type.Integer(), Type.Null()]),
  imageUrl: Type.Union([Type.String(), Type.Null()]),
  videoUrl: Type.Union([Type.String(), Type.Null()]),
  videoUrls: Type.Array(Type.Object({ url: Type.String() })),
  failReason: Type.Union([Type.String(), Type.Null()]),
  properties: Type.Record(Type.String(), Type.Unknown()),
  buttons: Type.Array(Type.Unknown()),
});

export const mjResponses = (success: ReturnType<typeof Type.Object> | ReturnType<typeof Type.Array>) => ({
  200: success,
  '4xx': MjError,
  '5xx': MjError,
});
