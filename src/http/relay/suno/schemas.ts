// Suno-API's wire shapes as Taskgate serves them: the {code, message, data} envelope, the submit body and
// new-api's TaskDto. Submit bodies stay open: clients send extra fields, which are dropped, not refused.
import { type TSchema, Type } from 'typebox';

/** Go clients send absent optional fields as null. */
const Nullable = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));
const Text = (maxLength: number) => Nullable(Type.String({ maxLength }));

export const SubmitParams = Type.Object({ action: Type.String({ minLength: 1, maxLength: 32 }) });

export const SubmitBody = Type.Object(
  {
    prompt: Text(20_000),
    gpt_description_prompt: Text(5_000),
    mv: Text(64),
    title: Text(500),
    tags: Text(1_000),
    make_instrumental: Nullable(Type.Boolean()),
    continue_clip_id: Text(128),
    continue_at: Nullable(Type.Number({ minimum: 0 })),
    task_id: Text(128),
  },
  { additionalProperties: true },
);

export const FetchBody = Type.Object(
  {
    ids: Nullable(Type.Array(Type.String({ maxLength: 128 }))),
    action: Text(32),
  },
  { additionalProperties: true },
);

export const FetchParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

export const TaskDto = Type.Object({
  task_id: Type.String({ description: "Taskgate's public id (task_…)" }),
  action: Type.String({ description: 'MUSIC or LYRICS, as Suno-API names them' }),
  status: Type.String(),
  fail_reason: Type.String(),
  submit_time: Type.Integer({ description: 'unix seconds' }),
  start_time: Type.Integer({ description: 'unix seconds, 0 until known' }),
  finish_time: Type.Integer({ description: 'unix seconds, 0 until final' }),
  progress: Type.String(),
  data: Type.Unknown({ description: 'The clips (music) or the lyrics object, media through Taskgate' }),
});

const Envelope = <T extends TSchema>(data: T) =>
  Type.Object({ code: Type.String(), message: Type.String(), data });

export const SubmitAnswer = Envelope(Type.String({ description: "The new task's public id (task_…)" }));
export const FetchOneAnswer = Envelope(TaskDto);
export const FetchManyAnswer = Envelope(Type.Array(TaskDto));

export const SunoError = Type.Object({ code: Type.String(), message: Type.String(), data: Type.Null() });

export const sunoResponses = (success: TSchema) => ({ 200: success, '4xx': SunoError, '5xx': SunoError });
