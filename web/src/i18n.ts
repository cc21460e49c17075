// English, 简体中文 and 日本語; the keys are the English strings.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import ja from './locales/ja.json';
import zh from './locales/zh.json';

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'zh', label: '简体中文' },
  { code: 'ja', label: '日本語' },
] as const;

const LANGUAGE_KEY = 'taskgate-language';

function initialLanguage(): string {
  const saved = localStorage.getItem(LANGUAGE_KEY);
  if (saved && LANGUAGES.some((l) => l.code === saved)) return saved;
  const browser = (navigator.language || 'en').slice(0, 2);
  return LANGUAGES.some((l) => l.code === browser) ? browser : 'en';
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, zh: { translation: zh }, ja: { translation: ja } },
  lng: initialLanguage(),
  fallbackLng: 'en',
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false },
  returnEmptyString: false,
});

export function setLanguage(code: string): void {
  localStorage.setItem(LANGUAGE_KEY, code);
  document.documentElement.lang = code;
  void i18n.changeLanguage(code);
}

document.documentElement.lang = i18n.language;

export default i18n;
