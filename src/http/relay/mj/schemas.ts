// midjourney-proxy's wire shapes. Submit bodies stay open: clients send many optional fields that pass through.
import { type TSchema, Type } from 'typebox';

const Open = { additionalProperties: true } as const;
const Base64 = Type.String({ minLength: 1, maxLength: 20 * 1024 * 1024 });
/** An optional field that may also be null: Java (Jackson) and Go clients send null for what they leave out. */
const Maybe = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));
const Common = {
  state: Maybe(Type.String({ maxLength: 2000 })),
  // '' is "no hook" too (web UIs send it on every submit); anything else must be an http(s) URL.
  notifyHook: Maybe(Type.String({ maxLength: 2048, pattern: '^(https?://|$)' })),
};

export const SubmitBodies = {
  imagine: Type.Object(
    {
      ...Common,
      prompt: Type.String({ minLength: 1, maxLength: 8192 }),
      base64Array: Maybe(Type.Array(Base64, { maxItems: 5 })),
    },
    Open,
  ),
  describe: Type.Object(
    { ...Common, base64: Maybe(Base64), link: Maybe(Type.String({ maxLength: 2048 })) },
    Open,
  ),
  blend: Type.Object({ ...Common, base64Array: Type.Array(Base64, { minItems: 2, maxItems: 5 }) }, Open),
  shorten: Type.Object({ ...Common, prompt: Type.String({ minLength: 1, maxLength: 8192 }) }, Open),
  upload: Type.Object({ ...Common, base64Array: Type.Array(Base64, { minItems: 1, maxItems: 10 }) }, Open),
  video: Type.Object(
    {
      ...Common,
      prompt: Maybe(Type.String({ maxLength: 8192 })),
      taskId: Maybe(Type.String({ maxLength: 64 })),
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
      index: Maybe(Type.Integer({ minimum: 1, maximum: 4 })),
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
      prompt: Maybe(Type.String({ maxLength: 8192 })),
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
