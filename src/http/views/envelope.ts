// The dashboard envelope and its paged form, as schemas (for validation, serialization and OpenAPI) and values.
import { type TSchema, Type } from 'typebox';

export const ErrorBody = Type.Object(
  { success: Type.Boolean(), message: Type.String() },
  { $id: 'DashboardError' },
);

export const Envelope = <T extends TSchema>(data: T) =>
  Type.Object({ success: Type.Boolean(), message: Type.String(), data });

export const Paged = <T extends TSchema>(item: T) =>
  Envelope(
    Type.Object({
      items: Type.Array(item),
      total: Type.Integer(),
      page: Type.Integer(),
      page_size: Type.Integer(),
    }),
  );

export const EmptyEnvelope = Type.Object({ success: Type.Boolean(), message: Type.String() });

/** The responses of a dashboard route: its success shape plus the shared error body. */
export const dashboardResponses = (success: TSchema) => ({
  200: success,
  '4xx': Type.Ref('DashboardError'),
  '5xx': Type.Ref('DashboardError'),
});

export const ok = <T>(data: T) => ({ success: true, message: '', data });
export const done = () => ({ success: true, message: '' });

export const PageQuery = {
  p: Type.Optional(Type.String({ description: 'Page number, 1-based' })),
  page_size: Type.Optional(Type.String({ description: 'Items per page, 1 to 100 (default 20)' })),
  ps: Type.Optional(
    Type.String({ description: 'Alias of page_size (new-api clients), read when it is absent' }),
  ),
  size: Type.Optional(
    Type.String({ description: 'Alias of page_size, read when page_size and ps are absent' }),
  ),
};
