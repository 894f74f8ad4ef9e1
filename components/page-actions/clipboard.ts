/**
 * Copying text for the "Copy link" button. navigator.clipboard exists only in secure contexts, and
 * a dashboard is often opened over plain HTTP on a cluster address, so the old execCommand('copy')
 * on a hidden textarea is the fallback. When both fail the caller shows the text to copy by hand.
 */

export interface CopyEnv {
  clipboard?: Pick<Clipboard, 'writeText'>;
  document: Pick<Document, 'createElement' | 'body' | 'activeElement' | 'execCommand'>;
}

function browserEnv(): CopyEnv {
  return { clipboard: typeof navigator === 'undefined' ? undefined : navigator.clipboard, document };
}

function copyWithTextarea(text: string, doc: CopyEnv['document']): boolean {
  const focused = doc.activeElement as HTMLElement | null;
  const area = doc.createElement('textarea');
  area.value = text;
  // readonly keeps a phone's keyboard from popping up; fixed and transparent so the page does not
  // scroll or flash while it is selected.
  area.setAttribute('readonly', '');
  area.setAttribute('aria-hidden', 'true');
  Object.assign(area.style, { position: 'fixed', top: '0', left: '0', width: '1px', height: '1px', opacity: '0', pointerEvents: 'none' });
  doc.body.appendChild(area);
  try {
    area.select();
    area.setSelectionRange(0, text.length);
    return doc.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
    focused?.focus?.();
  }
}

/** Copies `text`; false when the browser allowed neither way. */
export async function copyText(text: string, env: CopyEnv = browserEnv()): Promise<boolean> {
  if (env.clipboard) {
    try {
      await env.clipboard.writeText(text);
      return true;
    } catch {
      // Denied (no permission, page not focused): the textarea way may still work.
    }
  }
  return copyWithTextarea(text, env.document);
}
