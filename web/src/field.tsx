// A labelled form control. Its own module: the login page needs it without the list pages' widgets.
import type { ReactNode } from 'react';

/** The id of a field's label, for the widgets that take `aria-labelledby` rather than a label's `for`. */
export const labelId = (id: string) => `${id}-label`;

/**
 * A labelled control. `bare` for controls that take no id (Semi's selects and date pickers): their label is a
 * span that the widget names with `aria-labelledby={labelId(id)}`, as they overwrite `aria-label` with their own.
 */
export function Field({
  id,
  label,
  children,
  bare = false,
}: {
  id: string;
  label: string;
  children: ReactNode;
  bare?: boolean;
}) {
  return (
    <div className="tg-field">
      {bare ? (
        <>
          <span id={labelId(id)}>{label}</span>
          {/* Semi names a date picker's inputs itself; the group around them carries the field's label. */}
          <fieldset className="tg-group" aria-labelledby={labelId(id)}>
            {children}
          </fieldset>
        </>
      ) : (
        <>
          <label id={labelId(id)} htmlFor={id}>
            {label}
          </label>
          {children}
        </>
      )}
    </div>
  );
}
