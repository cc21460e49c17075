// The list pages' dialogs and actions: a form dialog with its error banner, a confirmed delete, and mutations that
// reload the list and toast their errors.
import { Banner, Button, Modal, Popconfirm, Toast } from '@douyinfe/semi-ui';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** Dialog buttons named by their visible (translated) text; Semi's own footer labels them "confirm"/"cancel". */
export function DialogFooter({
  okText,
  onOk,
  onCancel,
}: {
  okText: string;
  onOk: () => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div>
      {onCancel && <Button onClick={onCancel}>{t('Cancel')}</Button>}
      <Button type="primary" theme="solid" onClick={onOk}>
        {okText}
      </Button>
    </div>
  );
}

export function FormDialog({
  visible,
  title,
  okText,
  error,
  onOk,
  onCancel,
  children,
}: {
  visible: boolean;
  title: string;
  okText: string;
  error?: string;
  onOk: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <Modal
      visible={visible}
      title={title}
      onCancel={onCancel}
      footer={<DialogFooter okText={okText} onOk={onOk} onCancel={onCancel} />}
    >
      {visible && (
        <div className="tg-form">
          {error && <Banner type="danger" description={error} closeIcon={null} />}
          {children}
        </div>
      )}
    </Modal>
  );
}

export function ConfirmDelete({ title, onConfirm }: { title: string; onConfirm: () => void }) {
  const { t } = useTranslation();
  return (
    <Popconfirm title={title} okText={t('Delete')} cancelText={t('Cancel')} onConfirm={onConfirm}>
      <Button type="danger" size="small">
        {t('Delete')}
      </Button>
    </Popconfirm>
  );
}

/** Runs a change, then reloads every query under `key`; a failure shows as a toast. */
export function useAction(key: string) {
  const queryClient = useQueryClient();
  const reload = () => queryClient.invalidateQueries({ queryKey: [key] });
  const mutation = useMutation({
    mutationFn: (run: () => Promise<unknown>) => run(),
    onSuccess: reload,
    onError: (e) => Toast.error((e as Error).message),
  });
  return { run: mutation.mutate, reload };
}
