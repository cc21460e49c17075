// The one definition of a row id on the dashboard API, for bodies, paths and queries alike. Ids stop at 15 digits:
// JSON numbers past 2^53 round to a neighbour when parsed (PUT {"id": 9007199254740993} would name row
// 9007199254740992), so anything longer is refused as a 400 before it can reach a row or the database.
import { Type } from 'typebox';

export const MAX_ID = 999_999_999_999_999;
const ID_PATTERN = '^\\d{1,15}$';

/** A row id in a JSON body. */
export const IdBody = Type.Integer({ minimum: 1, maximum: MAX_ID, description: 'Row id, 1 to 15 digits' });

/** A row id in a path parameter. */
export const IdString = Type.String({ pattern: ID_PATTERN, description: 'Row id, 1 to 15 digits' });

/** `:id` in a path. */
export const IdParams = Type.Object({ id: IdString });

/** An optional id filter in a query (`user_id`, `channel_id`); empty means no filter. */
export const IdQuery = (description: string) =>
  Type.Optional(Type.String({ pattern: '^(\\d{1,15})?$', description: `${description} (1 to 15 digits)` }));
