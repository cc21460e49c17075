// Admin: every user's ledger rows, filtered by user, kind, task and time.
import { useTranslation } from 'react-i18next';
import { LedgerList } from './LedgerList';

export function Ledger() {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="ledger-title">
      <h1 id="ledger-title">{t('Ledger')}</h1>
      <LedgerList admin />
    </section>
  );
}
