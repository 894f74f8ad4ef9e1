import { describe, expect, it, vi } from 'vitest';
import { copyText, type CopyEnv } from './clipboard';

/** A document with just what the textarea fallback touches; `copies` is what execCommand "copied". */
function fakeDocument(execCommand: () => boolean) {
  const copies: string[] = [];
  const attached: unknown[] = [];
  const focus = vi.fn();
  const doc = {
    activeElement: { focus },
    body: { appendChild: (el: unknown) => attached.push(el) },
    createElement: () => {
      const area = {
        value: '',
        selected: false,
        style: {},
        setAttribute: vi.fn(),
        select: () => (area.selected = true),
        setSelectionRange: vi.fn(),
        remove: () => attached.splice(attached.indexOf(area), 1),
      };
      return area;
    },
    execCommand: () => {
      const area = attached[attached.length - 1] as { value: string; selected: boolean };
      const ok = execCommand();
      if (ok && area.selected) copies.push(area.value);
      return ok;
    },
  };
  return { doc: doc as unknown as CopyEnv['document'], copies, attached, focus };
}

describe('copyText', () => {
  it('uses the async clipboard when there is one', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    const { doc, copies } = fakeDocument(() => true);
    expect(await copyText('http://x/flows?q=a', { clipboard: { writeText }, document: doc })).toBe(true);
    expect(writeText).toHaveBeenCalledWith('http://x/flows?q=a');
    expect(copies).toEqual([]);
  });

  it('falls back to a selected textarea when there is no clipboard API (plain HTTP)', async () => {
    const { doc, copies, attached, focus } = fakeDocument(() => true);
    expect(await copyText('http://10.0.0.5/map', { document: doc })).toBe(true);
    expect(copies).toEqual(['http://10.0.0.5/map']);
    expect(attached).toEqual([]);
    expect(focus).toHaveBeenCalled();
  });

  it('falls back when the clipboard API refuses', async () => {
    const writeText = vi.fn().mockRejectedValue(new DOMException('denied', 'NotAllowedError'));
    const { doc, copies } = fakeDocument(() => true);
    expect(await copyText('u', { clipboard: { writeText }, document: doc })).toBe(true);
    expect(copies).toEqual(['u']);
  });

  it('is false when neither way works, and cleans up', async () => {
    const refused = fakeDocument(() => false);
    expect(await copyText('u', { document: refused.doc })).toBe(false);
    expect(refused.attached).toEqual([]);
    const throwing = fakeDocument(() => {
      throw new Error('not supported');
    });
    expect(await copyText('u', { document: throwing.doc })).toBe(false);
    expect(throwing.attached).toEqual([]);
  });
});
