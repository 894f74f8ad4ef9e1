'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { CompletionField } from '@/lib/history/flow-store';
import { parseSearch } from '@/lib/search/parse';
import { flowValuesQuery } from '../api/queries';
import { MAX_QUERY_CHARS } from '../flows/flow-search-url';
import { acceptItem, offerAt, withStoreValues, type OfferItem } from './completion-offer';
import { useDebounced } from './use-debounced';

/** Most rows the completion list shows. */
const MAX_ITEMS = 12;

/**
 * The search box: the query language with completion (field names, fixed values, and values the
 * store knows, asked for as the person types), ↑/↓ to move, Enter or Tab to take, Esc to close;
 * Enter with the list closed runs the search. The text is parsed in the browser on every change,
 * so a mistake is marked at its column before anything is sent; `serverError` is the server's own
 * verdict on the last search (the same parser, so normally the same column).
 */
export function QueryBox({ value, onSubmit, serverError }: { value: string; onSubmit(q: string): void; serverError: { message: string; column: number } | null }) {
  const input = useRef<HTMLInputElement>(null);
  const [draft, setDraft] = useState(value);
  const [caret, setCaret] = useState(value.length);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  useEffect(() => {
    setDraft(value);
    setCaret(value.length);
  }, [value]);

  const parsed = useMemo(() => parseSearch(draft), [draft]);
  const error = !parsed.ok ? parsed.error : draft === value ? serverError : null;

  const offer = useMemo(() => (open ? offerAt(draft, caret) : null), [open, draft, caret]);
  // Debounced as a string: an object would be new on every render and never settle.
  const storeAsk = useDebounced(offer?.storeField ? `${offer.storeField}\n${offer.prefix}` : '', 150);
  const [askField, askPrefix = ''] = storeAsk.split('\n') as [CompletionField | '', string?];
  const stored = useQuery({ ...flowValuesQuery(askField || 'namespace', askPrefix), enabled: askField !== '' && offer?.storeField === askField });
  const items: OfferItem[] = useMemo(() => {
    if (!offer) return [];
    const fromStore = offer.storeField && askField === offer.storeField ? (stored.data ?? []) : [];
    return withStoreValues(offer, fromStore).slice(0, MAX_ITEMS);
  }, [offer, stored.data, askField]);
  const listOpen = open && items.length > 0;

  const take = (item: OfferItem) => {
    if (!offer) return;
    const next = acceptItem(draft, offer, item);
    setDraft(next.text);
    setCaret(next.caret);
    setActive(-1);
    // A field name is followed by its values: keep the list open for them.
    setOpen(item.kind === 'field');
    requestAnimationFrame(() => input.current?.setSelectionRange(next.caret, next.caret));
  };

  const submit = () => {
    setOpen(false);
    if (parsed.ok) onSubmit(draft);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!listOpen) return setOpen(true);
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (a + step + items.length) % items.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (listOpen && active >= 0) take(items[active]);
      else submit();
    } else if (e.key === 'Tab' && listOpen) {
      e.preventDefault();
      take(items[Math.max(0, active)]);
    } else if (e.key === 'Escape') {
      setOpen(false);
      setActive(-1);
    } else if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      setOpen(true);
    }
  };

  const syncCaret = () => setCaret(input.current?.selectionStart ?? draft.length);

  return (
    <div className="relative min-w-0 flex-1" data-testid="query-box">
      <div className="flex gap-2">
        <input
          ref={input}
          data-testid="query-input"
          aria-label="Search flows"
          role="combobox"
          aria-expanded={listOpen}
          aria-controls="query-completions"
          aria-activedescendant={listOpen && active >= 0 ? `query-completion-${active}` : undefined}
          aria-invalid={error !== null}
          spellCheck={false}
          autoComplete="off"
          maxLength={MAX_QUERY_CHARS}
          value={draft}
          placeholder='from-ns:shop verdict:dropped   ·   to-fqdn:*.github.com   ·   http-status:5xx OR reason:"POLICY_DENIED"'
          onChange={(e) => {
            setDraft(e.target.value);
            setCaret(e.target.selectionStart ?? e.target.value.length);
            setOpen(true);
            setActive(-1);
          }}
          onKeyDown={onKeyDown}
          onKeyUp={(e) => (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'Home' || e.key === 'End' ? syncCaret() : undefined)}
          onClick={syncCaret}
          onBlur={() => setOpen(false)}
          className={`w-full rounded border px-2 py-1.5 font-mono text-sm ${error ? 'border-red-400' : 'border-slate-300'}`}
        />
        <button type="button" data-testid="query-submit" onClick={submit} className="rounded bg-slate-800 px-3 py-1.5 text-xs text-white">
          Search
        </button>
      </div>
      {listOpen && (
        <ul id="query-completions" role="listbox" data-testid="completions" className="absolute left-0 top-full z-30 mt-1 max-h-80 w-[36rem] overflow-y-auto rounded border border-slate-300 bg-white text-xs shadow-lg">
          {items.map((item, i) => (
            <li
              key={`${item.kind}:${item.label}`}
              id={`query-completion-${i}`}
              role="option"
              aria-selected={i === active}
              data-testid="completion-item"
              data-kind={item.kind}
              // mousedown, not click: the input's blur would close the list first.
              onMouseDown={(e) => {
                e.preventDefault();
                take(item);
              }}
              className={`flex cursor-pointer gap-3 px-2 py-1 ${i === active ? 'bg-sky-100' : 'hover:bg-slate-50'}`}
            >
              <span className="font-mono text-slate-900">{item.label}</span>
              {item.detail && <span className="truncate text-slate-500">{item.detail}</span>}
            </li>
          ))}
        </ul>
      )}
      {error && <QueryError text={draft} error={error} />}
    </div>
  );
}

/** The message, and the query with a caret under the column it is about. */
function QueryError({ text, error }: { text: string; error: { message: string; column: number } }) {
  const column = Math.max(1, Math.min(error.column, text.length + 1));
  return (
    <div role="alert" data-testid="query-error" data-column={error.column} className="mt-1 text-xs text-red-800">
      <p>{error.message}</p>
      <pre className="mt-0.5 overflow-x-auto font-mono text-[11px] leading-tight text-slate-600">
        {text}
        {'\n'}
        <span className="text-red-700">{`${' '.repeat(column - 1)}^`}</span>
      </pre>
    </div>
  );
}
