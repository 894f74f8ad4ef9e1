'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { copyText } from './clipboard';
import { BUTTON } from './styles';

/** The link shown selected when the browser would not copy it, for Ctrl+C by hand. */
function ManualCopy({ link, onCopied, onClose }: { link: string; onCopied: () => void; onClose: () => void }) {
  const box = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
    const outside = (e: PointerEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) onClose();
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [onClose]);
  return (
    <div
      ref={box}
      data-testid="copy-link-manual"
      role="dialog"
      aria-label="Copy this link"
      className="absolute right-0 top-full z-50 mt-1 w-[28rem] max-w-[90vw] rounded border border-slate-300 bg-white p-2 text-xs text-slate-900 shadow-lg"
    >
      <label className="mb-1 block text-slate-600" htmlFor="copy-link-manual-input">
        The browser did not allow copying. Press Ctrl+C (⌘C) to copy the link:
      </label>
      <input
        id="copy-link-manual-input"
        ref={input}
        readOnly
        value={link}
        onFocus={(e) => e.currentTarget.select()}
        onCopy={() => {
          onCopied();
          onClose();
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onClose();
        }}
        className="w-full rounded border border-slate-300 px-2 py-1 font-mono"
      />
    </div>
  );
}

/** Copies the page's full URL, which holds its state (query, range, selection). */
export function CopyLinkButton({ onCopied }: { onCopied: () => void }) {
  const [manual, setManual] = useState<string | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  // Stable, so the popover's effect (focus, select, outside click) runs once per opening.
  const close = useCallback(() => {
    setManual(null);
    button.current?.focus();
  }, []);
  async function copy() {
    const link = window.location.href;
    if (await copyText(link)) {
      setManual(null);
      onCopied();
    } else {
      setManual(link);
    }
  }
  return (
    <div className="relative">
      <button
        ref={button}
        type="button"
        data-testid="copy-link"
        aria-label="Copy link to this view"
        title="Copy a link to this page as it is now, with its search, range and selection"
        className={BUTTON}
        onClick={copy}
      >
        Copy link
      </button>
      {manual !== null && (
        <ManualCopy link={manual} onCopied={onCopied} onClose={close} />
      )}
    </div>
  );
}
