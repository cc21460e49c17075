// The shell: Semi's locale, the header with navigation, language and logout, and the routes by role.
import { Button, LocaleProvider } from '@douyinfe/semi-ui';
import en_US from '@douyinfe/semi-ui/lib/es/locale/source/en_US';
import ja_JP from '@douyinfe/semi-ui/lib/es/locale/source/ja_JP';
import zh_CN from '@douyinfe/semi-ui/lib/es/locale/source/zh_CN';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, NavLink, Route, Routes, useNavigate } from 'react-router';
import { ADMIN_ROLE, api, LOGOUT_EVENT, type SessionUser, storedUser, storeUser } from './api';
import { LANGUAGES, setLanguage } from './i18n';
import { Channels } from './pages/Channels';
import { Login } from './pages/Login';
import { MjTasks } from './pages/MjTasks';
import { Settings } from './pages/Settings';
import { TaskCenter } from './pages/TaskCenter';
import { Tokens } from './pages/Tokens';
import { Usage } from './pages/Usage';
import { Users } from './pages/Users';

const SEMI_LOCALES = { en: en_US, zh: zh_CN, ja: ja_JP } as const;

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

export function App() {
  const { t, i18n } = useTranslation();
  const [user, setUser] = useState<SessionUser | null>(storedUser());
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  useEffect(() => {
    const onLogout = () => {
      setUser(null);
      queryClient.clear();
      navigate('/login');
    };
    window.addEventListener(LOGOUT_EVENT, onLogout);
    return () => window.removeEventListener(LOGOUT_EVENT, onLogout);
  }, [navigate, queryClient]);

  const locale = SEMI_LOCALES[i18n.language as keyof typeof SEMI_LOCALES] ?? en_US;

  const logout = async () => {
    try {
      await api('GET', '/api/user/logout');
    } finally {
      storeUser(null);
      setUser(null);
      queryClient.clear();
      navigate('/login');
    }
  };

  if (!user) {
    return (
      <LocaleProvider locale={locale}>
        <Routes>
          <Route
            path="*"
            element={
              <Login
                onLogin={(u) => {
                  storeUser(u);
                  setUser(u);
                  navigate('/midjourney');
                }}
              />
            }
          />
        </Routes>
      </LocaleProvider>
    );
  }

  const admin = user.role >= ADMIN_ROLE;
  const links = [
    ['/midjourney', t('Midjourney')],
    ['/tasks', t('Task center')],
    ['/tokens', t('API keys')],
    ['/usage', t('Usage')],
    ...(admin
      ? [
          ['/admin/channels', t('Channels')],
          ['/admin/users', t('Users')],
          ['/admin/settings', t('Settings')],
        ]
      : []),
  ];

  return (
    <LocaleProvider locale={locale}>
      <header className="tg-header">
        <span className="tg-brand">Taskgate</span>
        <nav className="tg-nav" aria-label={t('Main navigation')}>
          {links.map(([to, label]) => (
            <NavLink key={to} to={to}>
              {label}
            </NavLink>
          ))}
        </nav>
        <div className="tg-user">
          <LanguageSwitch />
          <span>{user.display_name || user.username}</span>
          <Button size="small" onClick={logout}>
            {t('Log out')}
          </Button>
        </div>
      </header>
      <main className="tg-main">
        <Routes>
          <Route path="/midjourney" element={<MjTasks admin={admin} />} />
          <Route path="/tasks" element={<TaskCenter admin={admin} />} />
          <Route path="/tokens" element={<Tokens />} />
          <Route path="/usage" element={<Usage />} />
          {admin && <Route path="/admin/channels" element={<Channels />} />}
          {admin && <Route path="/admin/users" element={<Users />} />}
          {admin && <Route path="/admin/settings" element={<Settings />} />}
          <Route path="*" element={<Navigate to="/midjourney" replace />} />
        </Routes>
      </main>
    </LocaleProvider>
  );
}
