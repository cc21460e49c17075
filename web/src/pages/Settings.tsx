// Admin: run-time settings. Switches for the on/off ones (media forwarding and the Midjourney switches), number
// fields for the counts (retries, the auto-ban threshold, the task timeout in minutes) and text for JSON (model
// prices, group ratios), shown one entry a line and saved compact.
import { Button, InputNumber, Switch, Table, TextArea, Toast } from '@douyinfe/semi-ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ErrorState } from '../list';
import { rowKeys } from '../table';

interface OptionItem {
  key: string;
  value: string;
}

/**
 * JSON laid out again: one entry a line as the editor shows it (`indent` 2), or on one line as the server stores
 * it. Text that does not parse stays as typed, for the server to refuse.
 */
function relaid(text: string, indent?: number): string {
  try {
    return JSON.stringify(JSON.parse(text), null, indent);
  } catch {
    return text;
  }
}

function Editor({ item, onSaved }: { item: OptionItem; onSaved: () => void }) {
  const { t } = useTranslation();
  const json = /^\s*[[{]/.test(item.value);
  const shown = json ? relaid(item.value, 2) : item.value;
  const [value, setValue] = useState(shown);
  const label = t(`option.${item.key}`, { defaultValue: item.key });
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
        aria-label={label}
        checked={item.value === 'true'}
        onChange={(on) => void save(on ? 'true' : 'false')}
      />
    );
  }
  const saveButton = (
    <Button size="small" disabled={value === shown} onClick={() => void save(json ? relaid(value) : value)}>
      {t('Save')}
    </Button>
  );
  // Counts get a number field; the server checks the range and says so when a value is out of it.
  if (/^\d+$/.test(item.value)) {
    return (
      <div className="tg-actions">
        <InputNumber
          aria-label={label}
          value={value === '' ? undefined : Number(value)}
          min={0}
          precision={0}
          style={{ width: 160 }}
          onChange={(v) => setValue(v === '' || v === undefined ? '' : String(v))}
        />
        {saveButton}
      </div>
    );
  }
  return (
    <div className="tg-actions" style={{ alignItems: 'flex-start', width: '100%' }}>
      <TextArea
        className={json ? 'tg-json' : undefined}
        aria-label={label}
        value={value}
        autosize={{ minRows: 1, maxRows: 16 }}
        style={{ minWidth: 220, maxWidth: 480, flex: 1 }}
        onChange={setValue}
      />
      {saveButton}
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
          onRow={(item) => rowKeys(item)}
          pagination={false}
          // At least 600 px (narrow screens scroll sideways), otherwise the page's width for the JSON editors.
          scroll={{ x: 'max(600px, 100%)' }}
        />
      )}
    </section>
  );
}
