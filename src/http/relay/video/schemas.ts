// The OpenAI video API's wire shapes as Taskgate serves them, and new-api's `{code, message, data}` around a TaskDto.
import { Type } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const OpenAiError = Type.Object({
  error: Type.Object({
    message: Type.String(),
    type: Type.String(),
    param: Nullable(Type.String()),
    code: Nullable(Type.String()),
  }),
});

/** OpenAI's video object; upstream fields beyond these pass through, plus signed content links once completed. */
export const VideoObject = Type.Object(
  {
    id: Type.String({ description: "Taskgate's public id (task_…)" }),
    task_id: Type.String({ description: 'The same public id, for new-api clients' }),
    object: Type.Literal('video'),
    model: Type.String(),
    status: Type.String({ description: 'queued, in_progress, completed or failed' }),
    progress: Type.Integer({ minimum: 0, maximum: 100 }),
    created_at: Type.Integer(),
    completed_at: Nullable(Type.Integer()),
    expires_at: Nullable(Type.Integer()),
    seconds: Type.String(),
    size: Nullable(Type.String()),
    prompt: Nullable(Type.String()),
    remixed_from_video_id: Nullable(Type.String()),
    error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
    content_url: Type.Optional(Type.String({ description: 'Signed link to the MP4 (completed videos)' })),
    thumbnail_url: Type.Optional(Type.String()),
    spritesheet_url: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/** GET /v1/videos: OpenAI's cursor list. */
export const ListQuery = Type.Object({
  limit: Type.Optional(Type.String({ description: 'Videos per page, 1 to 100 (default 20)' })),
  after: Type.Optional(
    Type.String({ maxLength: 64, description: 'The id to list after: the last_id of the previous page' }),
  ),
  order: Type.Optional(
    Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'By creation; default desc' }),
  ),
});

export const VideoList = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(VideoObject),
  first_id: Nullable(Type.String()),
  last_id: Nullable(Type.String()),
  has_more: Type.Boolean(),
});

export const TaskDto = Type.Object({
  task_id: Type.String(),
  action: Type.String(),
  status: Type.String({
    description: "Taskgate's status: NOT_START, QUEUED, IN_PROGRESS, SUCCESS, FAILURE…",
  }),
  fail_reason: Type.String(),
  submit_time: Type.Integer(),
  start_time: Type.Integer(),
  finish_time: Type.Integer(),
  progress: Type.String(),
  result_url: Type.String(),
  properties: Type.Unknown(),
  data: VideoObject,
});

export const TaskDtoAnswer = Type.Object({
  code: Type.String(),
  message: Type.String(),
  data: TaskDto,
});

const referenceAlias = (description: string) => Type.Optional(Type.Unknown({ description }));

/** JSON create; multipart forms carry the same fields with `input_reference` (or `image`, `images`) as a file. */
export const CreateBody = Type.Object(
  {
    prompt: Type.String({ minLength: 1, maxLength: 32_000 }),
    model: Type.Optional(Type.String({ maxLength: 100, description: 'Default sora-2' })),
    seconds: Type.Optional(
      Type.Union([Type.String({ maxLength: 8 }), Type.Integer()], { description: 'Default "4"; 1 to 60' }),
    ),
    size: Type.Optional(Type.String({ maxLength: 20, description: 'WIDTHxHEIGHT, e.g. 720x1280' })),
    input_reference: Type.Optional(
      Type.Unknown({
        description:
          '{image_url} or {file_id} in JSON; an image file (JPEG, PNG, WebP, ≤ 20 MiB) in a multipart form, ' +
          'where a file under any name but input_reference, image or images is a 400',
      }),
    ),
    image: referenceAlias(
      "new-api's name for input_reference: an image URL in JSON, an image file in a form",
    ),
    images: referenceAlias('Image URLs in JSON (the first is used), or one image file in a form'),
  },
  { additionalProperties: true },
);

/** new-api's generic create: the OpenAI fields plus `duration`. */
export const GenerationBody = Type.Object(
  {
    ...CreateBody.properties,
    duration: Type.Optional(Type.Union([Type.String({ maxLength: 8 }), Type.Integer()])),
  },
  { additionalProperties: true },
);

export const RemixBody = Type.Object(
  { prompt: Type.String({ minLength: 1, maxLength: 32_000 }) },
  { additionalProperties: true },
);

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const ContentQuery = Type.Object({
  variant: Type.Optional(
    Type.Union([Type.Literal('video'), Type.Literal('thumbnail'), Type.Literal('spritesheet')], {
      description: 'Default video',
    }),
  ),
});

const binary = (description: string) => ({
  description,
  content: Object.fromEntries(
    ['video/mp4', 'image/webp', 'image/jpeg'].map((type) => [
      type,
      { schema: { type: 'string', format: 'binary' } },
    ]),
  ),
});

export const openAiResponses = <T>(success: T) => ({ 200: success, '4xx': OpenAiError, '5xx': OpenAiError });

export const ContentResponses = {
  200: binary('The file, streamed from the upstream'),
  206: binary('Part of the file, for a Range request'),
  '4xx': OpenAiError,
  '5xx': OpenAiError,
};
