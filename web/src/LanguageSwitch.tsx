// The language picker, on the login page and in the header.
import { useTranslation } from 'react-i18next';
import { LANGUAGES, setLanguage } from './i18n';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="tg-user">
      <span>{t('Language')}</span>
      <select
        aria-label={t('Language')}
        value={i18n.language}
        onChange={(event) => setLanguage(event.target.value)}
      >
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}
