'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { CopyLinkButton } from './CopyLinkButton';
import { ScreenshotButton } from './ScreenshotButton';

const STATUS_MS = 2500;

/** "Copy link" and "Screenshot" for whatever page is open, with one short confirmation line. */
export function PageActions() {
  const [status, setStatus] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const say = useCallback((text: string) => {
    clearTimeout(timer.current);
    setStatus(text);
    timer.current = setTimeout(() => setStatus(''), STATUS_MS);
  }, []);
  useEffect(() => () => clearTimeout(timer.current), []);
  const linkCopied = useCallback(() => say('Link copied'), [say]);
  const screenshotSaved = useCallback(() => say('Screenshot saved'), [say]);
  return (
    <div className="relative flex items-center gap-2 text-xs">
      {/* Always rendered so screen readers announce the text when it changes; floats below the
          buttons so the header does not shift while it shows. */}
      <span
        role="status"
        aria-live="polite"
        data-testid="page-action-status"
        className="pointer-events-none absolute right-0 top-full z-50 mt-1 whitespace-nowrap rounded bg-green-700 px-2 py-1 text-white shadow empty:hidden"
      >
        {status}
      </span>
      <CopyLinkButton onCopied={linkCopied} />
      <ScreenshotButton onSaved={screenshotSaved} />
    </div>
  );
}
