// The header: brand, navigation, language, user and logout on one line. Narrow screens (phones) fold the
// navigation and the user controls behind a menu button, so the closed header stays one line high.
import { IconClose, IconMenu } from '@douyinfe/semi-icons';
import { Button } from '@douyinfe/semi-ui';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, useLocation } from 'react-router';
import type { SessionUser } from './api';
import { LanguageSwitch } from './LanguageSwitch';

export function Header({
  user,
  links,
  onLogout,
}: {
  user: SessionUser;
  links: Array<[to: string, label: string]>;
  onLogout: () => void;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const location = useLocation();
  // Going to another page closes the menu.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the location change is the trigger.
  useEffect(() => setOpen(false), [location.pathname]);
  // Escape closes an open menu.
  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  return (
    <header className={open ? 'tg-header tg-open' : 'tg-header'}>
      <span className="tg-brand">Taskgate</span>
      <button
        type="button"
        className="tg-menu-button"
        aria-expanded={open}
        aria-controls="tg-menu"
        onClick={() => setOpen(!open)}
      >
        {open ? <IconClose aria-hidden /> : <IconMenu aria-hidden />}
        <span>{t('Menu')}</span>
      </button>
      <div id="tg-menu" className="tg-menu">
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
          <Button size="small" onClick={onLogout}>
            {t('Log out')}
          </Button>
        </div>
      </div>
    </header>
  );
}
