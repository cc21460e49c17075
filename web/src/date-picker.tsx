// Semi's date picker, loaded on first use: with its date library it is the largest widget of the filter bars, and
// the first paint of a list page does not need it. Until it arrives an empty, inert box holds its place.
import type { DatePickerProps } from '@douyinfe/semi-ui/lib/es/datePicker';
import { lazy, Suspense } from 'react';

const SemiDatePicker = lazy(() => import('@douyinfe/semi-ui/lib/es/datePicker'));

export function DatePicker(props: DatePickerProps) {
  return (
    <Suspense fallback={<div className="tg-picker-placeholder" style={props.style} />}>
      <SemiDatePicker {...props} />
    </Suspense>
  );
}
