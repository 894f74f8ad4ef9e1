'use client';

import { useState } from 'react';
import { captureErrorText } from './capture-error';
import { downloadScreenshot } from './screenshot';
import { BUTTON } from './styles';

/** Lets the browser paint the "Capturing…" state before the capture keeps the main thread busy. */
const nextPaint = () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));

/** Downloads a PNG of the page content as it is now, with where and when in a footer. */
export function ScreenshotButton({ onSaved }: { onSaved: (fileName: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function shoot() {
    setBusy(true);
    setError(null);
    try {
      await nextPaint();
      onSaved(await downloadScreenshot());
    } catch (e) {
      setError(captureErrorText(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="relative">
      <button
        type="button"
        data-testid="screenshot"
        aria-label="Download a screenshot of this page as PNG"
        title="Download a PNG of this page as it is now, with its address and the time under it"
        className={BUTTON}
        disabled={busy}
        aria-busy={busy}
        onClick={shoot}
      >
        {busy ? 'Capturing…' : 'Screenshot'}
      </button>
      {error && (
        <div
          role="alert"
          data-testid="screenshot-error"
          className="absolute right-0 top-full z-50 mt-1 flex w-80 items-start gap-2 rounded border border-red-300 bg-red-50 p-2 text-xs text-red-900 shadow-lg"
        >
          <span className="flex-1">{error}</span>
          <button type="button" aria-label="Dismiss" className="text-red-700" onClick={() => setError(null)}>
            ×
          </button>
        </div>
      )}
    </div>
  );
}
