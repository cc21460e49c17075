// Images, songs and videos served by signed links, which expire (24 h): a page left open longer, or a listing
// older than that, would show a broken image or a dead player. Instead they say so and offer a reload, which
// fetches the listings again and with them new links.
import { Button } from '@douyinfe/semi-ui';
import { useQueryClient } from '@tanstack/react-query';
import { type ImgHTMLAttributes, type ReactElement, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Whether a signed link's `exp` (Unix seconds) is past by this browser's clock. */
export function linkExpired(url: string): boolean {
  try {
    const exp = Number(new URL(url, window.location.href).searchParams.get('exp'));
    return exp > 0 && exp * 1000 <= Date.now();
  } catch {
    return false;
  }
}

/** Stands where a media element failed to load: why (an expired link, or the file could not be had) and a reload. */
export function MediaProblem({ url, className }: { url: string; className?: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  // A failure with a link still valid by this clock may be a stale link all the same (the server's clock, a
  // replaced file): a reload is the answer to both.
  const expired = linkExpired(url);
  return (
    <div role="alert" className={`tg-media-problem ${className ?? ''}`}>
      <span>{expired ? t('Link expired — reload') : t('The file could not be loaded — reload')}</span>
      <Button size="small" onClick={() => void queryClient.invalidateQueries()}>
        {t('Reload')}
      </Button>
    </div>
  );
}

/** Tracks whether the element for `url` failed; a new url (after a reload) starts afresh. */
export function useFailed(url: string): [boolean, () => void] {
  const [failed, setFailed] = useState<string | null>(null);
  return [failed === url, () => setFailed(url)];
}

/** An `<img>` of a signed link that turns into a MediaProblem when it cannot load. */
export function SignedImage(props: ImgHTMLAttributes<HTMLImageElement> & { src: string; alt: string }) {
  const [failed, fail] = useFailed(props.src);
  if (failed) return <MediaProblem url={props.src} className={props.className} />;
  // biome-ignore lint/a11y/useAltText: alt is a required prop, passed on.
  return <img {...props} onError={fail} />;
}

/** An `<audio>` or `<video>` of a signed link: the element, or a MediaProblem once its source fails. */
export function SignedPlayer({
  src,
  children,
}: {
  src: string;
  children: (onError: () => void) => ReactElement;
}) {
  const [failed, fail] = useFailed(src);
  return failed ? <MediaProblem url={src} /> : children(fail);
}
