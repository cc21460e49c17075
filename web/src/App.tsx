// The shell: Semi's locale, the header, and the routes by role. Every page is its own chunk, loaded when first
// visited, so the first page downloads only the shell and itself.
import { LocaleProvider, Spin } from '@douyinfe/semi-ui';
import en_US from '@douyinfe/semi-ui/lib/es/locale/source/en_US';
import ja_JP from '@douyinfe/semi-ui/lib/es/locale/source/ja_JP';
import zh_CN from '@douyinfe/semi-ui/lib/es/locale/source/zh_CN';
import { useQueryClient } from '@tanstack/react-query';
import { lazy, type ReactNode, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useNavigate } from 'react-router';
import { ADMIN_ROLE, api, LOGOUT_EVENT, type SessionUser, storedUser, storeUser } from './api';
import { Header } from './Header';

const Login = lazy(() => import('./pages/Login').then((m) => ({ default: m.Login })));
const MjTasks = lazy(() => import('./pages/MjTasks').then((m) => ({ default: m.MjTasks })));
const TaskCenter = lazy(() => import('./pages/TaskCenter').then((m) => ({ default: m.TaskCenter })));
const Tokens = lazy(() => import('./pages/Tokens').then((m) => ({ default: m.Tokens })));
const Usage = lazy(() => import('./pages/Usage').then((m) => ({ default: m.Usage })));
const Channels = lazy(() => import('./pages/Channels').then((m) => ({ default: m.Channels })));
const Users = lazy(() => import('./pages/Users').then((m) => ({ default: m.Users })));
const Ledger = lazy(() => import('./pages/Ledger').then((m) => ({ default: m.Ledger })));
const Settings = lazy(() => import('./pages/Settings').then((m) => ({ default: m.Settings })));

const SEMI_LOCALES = { en: en_US, zh: zh_CN, ja: ja_JP } as const;

function Loading({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Suspense
      fallback={
        <div className="tg-loading">
          <Spin aria-label={t('Loading')} />
        </div>
      }
    >
      {children}
    </Suspense>
  );
}

export function App() {
  const { t, i18n } = useTranslation();
  const [user, setUser] = useState<SessionUser | null>(storedUser());
  // The role login stored may be out of date (an admin demoted since): each page load asks the server first.
  const [checked, setChecked] = useState(false);
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

  useEffect(() => {
    if (!storedUser()) return setChecked(true);
    let live = true;
    api<SessionUser>('GET', '/api/user/self')
      .then((fresh) => {
        if (!live) return;
        storeUser(fresh);
        setUser(fresh);
      })
      // A 401 has logged out already; any other failure leaves the stored user, and the server still refuses.
      .catch(() => {})
      .finally(() => live && setChecked(true));
    return () => {
      live = false;
    };
  }, []);

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
        <Loading>
          <Login
            onLogin={(u) => {
              storeUser(u);
              setUser(u);
              navigate('/midjourney');
            }}
          />
        </Loading>
      </LocaleProvider>
    );
  }

  if (!checked) {
    return (
      <div className="tg-loading">
        <Spin aria-label={t('Loading')} />
      </div>
    );
  }

  const admin = user.role >= ADMIN_ROLE;
  const links: Array<[string, string]> = [
    ['/midjourney', t('Midjourney')],
    ['/tasks', t('Task center')],
    ['/tokens', t('API keys')],
    ['/usage', t('Usage')],
    ...(admin
      ? ([
          ['/admin/channels', t('Channels')],
          ['/admin/users', t('Users')],
          ['/admin/ledger', t('Ledger')],
          ['/admin/settings', t('Settings')],
        ] as Array<[string, string]>)
      : []),
  ];

  return (
    <LocaleProvider locale={locale}>
      <Header user={user} links={links} onLogout={logout} />
      <main className="tg-main">
        <Loading>
          <Routes>
            <Route path="/midjourney" element={<MjTasks admin={admin} />} />
            <Route path="/tasks" element={<TaskCenter admin={admin} />} />
            <Route path="/tokens" element={<Tokens />} />
            <Route path="/usage" element={<Usage />} />
            {admin && <Route path="/admin/channels" element={<Channels />} />}
            {admin && <Route path="/admin/users" element={<Users />} />}
            {admin && <Route path="/admin/ledger" element={<Ledger />} />}
            {admin && <Route path="/admin/settings" element={<Settings />} />}
            <Route path="*" element={<Navigate to="/midjourney" replace />} />
          </Routes>
        </Loading>
      </main>
    </LocaleProvider>
  );
}
