// Login: clear errors, and after a 429 the button waits out the server's Retry-After.
import { Banner, Button, Input } from '@douyinfe/semi-ui';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ApiError, api, type SessionUser } from '../api';
import { Field } from '../field';
import { LanguageSwitch } from '../LanguageSwitch';

export function Login({ onLogin }: { onLogin: (user: SessionUser) => void }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [waitUntil, setWaitUntil] = useState(0);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    if (waitUntil <= now) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [waitUntil, now]);
  const waiting = Math.max(0, Math.ceil((waitUntil - now) / 1000));

  const submit = async () => {
    if (!username || !password) {
      setError(t('Enter your username and password.'));
      return;
    }
    setBusy(true);
    setError('');
    try {
      onLogin(await api<SessionUser>('POST', '/api/user/login', { username, password }));
    } catch (e) {
      const err = e as ApiError;
      if (err.status === 429) {
        const seconds = err.retryAfter ?? 60;
        setWaitUntil(Date.now() + seconds * 1000);
        setNow(Date.now());
        setError(t('Too many attempts. Try again in {{seconds}} seconds.', { seconds }));
      } else if (err.status === 401) {
        setError(t('Wrong username or password.'));
      } else {
        setError(err.message);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <main>
      <form
        className="tg-login"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h1 style={{ margin: 0 }}>{t('Sign in to Taskgate')}</h1>
        <LanguageSwitch />
        {error && <Banner type="danger" description={error} closeIcon={null} />}
        <Field id="login-username" label={t('Username')}>
          <Input id="login-username" autoComplete="username" value={username} onChange={setUsername} />
        </Field>
        <Field id="login-password" label={t('Password')}>
          <Input
            id="login-password"
            mode="password"
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
          />
        </Field>
        <Button htmlType="submit" type="primary" theme="solid" loading={busy} disabled={waiting > 0}>
          {waiting > 0 ? t('Wait {{seconds}} s', { seconds: waiting }) : t('Log in')}
        </Button>
      </form>
    </main>
  );
}
