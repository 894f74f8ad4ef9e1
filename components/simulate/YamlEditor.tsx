'use client';

/**
 * A YAML editor (CodeMirror 6): line numbers, YAML highlighting, undo, and an optional linter that
 * marks each problem at its line and column. CodeMirror injects its styles at run time (constructed
 * style sheets, or <style> elements where those are missing); the CSP's `style-src 'unsafe-inline'`
 * allows both, so no nonce is needed (see next.config.ts).
 *
 * Uncontrolled inside, synced both ways: typing calls onChange, a new `value` from outside (a
 * recommendation loaded into the simulator) replaces the text.
 */

import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { linter, lintGutter, lintKeymap, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers, placeholder } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import type { ChangeProblem } from '@/lib/what-if/proposed-change';
import { problemRanges } from './change-lint';

export interface YamlEditorProps {
  value: string;
  onChange?(value: string): void;
  readOnly?: boolean;
  /** Problems of the text, marked where they are (runs a short while after typing stops). */
  lint?(text: string): readonly ChangeProblem[];
  /** What the editor is, for screen readers. */
  label: string;
  placeholderText?: string;
  testId?: string;
  /** Tailwind height classes of the scroller (`h-80`). */
  heightClass?: string;
}

const THEME = EditorView.theme({
  '&': { fontSize: '12px', height: '100%', backgroundColor: '#ffffff' },
  '&.cm-focused': { outline: '2px solid #0ea5e9' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', lineHeight: '1.5' },
  '.cm-gutters': { backgroundColor: '#f8fafc', color: '#94a3b8', borderRight: '1px solid #e2e8f0' },
});

export function YamlEditor({ value, onChange, readOnly = false, lint, label, placeholderText, testId = 'yaml-editor', heightClass = 'h-80' }: YamlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const lintRef = useRef(lint);
  lintRef.current = lint;
  const valueRef = useRef(value);
  valueRef.current = value;
  const hasLint = lint !== undefined;

  useEffect(() => {
    const lintSource = (view: EditorView): Diagnostic[] => {
      const text = view.state.doc.toString();
      return problemRanges(text, lintRef.current?.(text) ?? []).map((r) => ({ from: r.from, to: r.to, severity: r.severity, message: r.message, source: 'flowsight' }));
    };
    const view = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: valueRef.current,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          history(),
          drawSelection(),
          highlightActiveLine(),
          indentOnInput(),
          bracketMatching(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          yaml(),
          keymap.of([...defaultKeymap, ...historyKeymap, ...lintKeymap, indentWithTab]),
          EditorState.readOnly.of(readOnly),
          EditorView.editable.of(!readOnly),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          ...(placeholderText ? [placeholder(placeholderText)] : []),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChangeRef.current?.(u.state.doc.toString());
          }),
          ...(hasLint ? [linter(lintSource, { delay: 250 }), lintGutter()] : []),
          THEME,
        ],
      }),
    });
    viewRef.current = view;
    return () => {
      view.destroy();
      if (viewRef.current === view) viewRef.current = null;
    };
  }, [readOnly, label, placeholderText, hasLint]);

  // A value set from outside replaces the text (typing never gets here: the text already equals it).
  useEffect(() => {
    const view = viewRef.current;
    if (!view || view.state.doc.toString() === value) return;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
  }, [value]);

  return <div ref={host} data-testid={testId} className={`${heightClass} overflow-hidden rounded border border-slate-300`} />;
}
