// Admin: run-time settings. Switches for the on/off ones (media forwarding and the Midjourney switches), text for
// numbers (retries, the auto-ban threshold) and JSON (model prices, group ratios).
import { Button, Switch, Table, TextArea, Toast } from '@douyinfe/semi-ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ErrorState, focusableRow } from '../list';

interface OptionItem {
  key: string;
  value: string;
}

function Editor({ item, onSaved }: { item: OptionItem; onSaved: () => void }) {
  const { t } = useTranslation();
  const [value, setValue] = useState(item.value);
  const save = async (next: string) => {
    try {
      await api('PUT', '/api/option/', { key: item.key, value: next });
      Toast.success(t('Saved'));
      onSaved();
    } catch (e) {
      Toast.error((e as Error).message);
    }
  };
  if (item.value === 'true' || item.value === 'false') {
    return (
      <Switch
        aria-label={t(`option.${item.key}`, { defaultValue: item.key })}
        checked={item.value === 'true'}
        onChange={(on) => void save(on ? 'true' : 'false')}
      />
    );
  }
  return (
    <div style={{ display: 'flex', gap: 8, alignItems: 'flex-start', flexWrap: 'wrap' }}>
      <TextArea
        aria-label={t(`option.${item.key}`, { defaultValue: item.key })}
        value={value}
        autosize={{ minRows: 1, maxRows: 10 }}
        style={{ minWidth: 220, flex: 1 }}
        onChange={setValue}
      />
      <Button size="small" disabled={value === item.value} onClick={() => void save(value)}>
        {t('Save')}
      </Button>
    </div>
  );
}

export function Settings() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const options = useQuery({
    queryKey: ['options'],
    queryFn: () => api<OptionItem[]>('GET', '/api/option/'),
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['options'] });
  const columns = [
    {
      title: t('Setting'),
      dataIndex: 'key',
      width: 280,
      render: (key: string) => (
        <div>
          <div>{t(`option.${key}`, { defaultValue: key })}</div>
          <code style={{ fontSize: 11 }}>{key}</code>
        </div>
      ),
    },
    {
      title: t('Value'),
      dataIndex: 'value',
      render: (_: string, item: OptionItem) => <Editor key={item.value} item={item} onSaved={refresh} />,
    },
  ];
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">{t('Settings')}</h1>
      {options.isError ? (
        <ErrorState error={options.error} onRetry={() => void options.refetch()} />
      ) : (
        <Table
          rowKey="key"
          loading={options.isLoading}
          dataSource={options.data ?? []}
          columns={columns}
          onRow={focusableRow}
          pagination={false}
          scroll={{ x: 600 }}
        />
      )}
    </section>
  );
}
