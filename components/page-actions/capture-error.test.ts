import { describe, expect, it } from 'vitest';
import { captureErrorText } from './capture-error';

describe('captureErrorText', () => {
  it('gives the reason of an Error', () => {
    expect(captureErrorText(new Error('the browser could not encode the PNG'))).toBe(
      "Screenshot failed: the browser could not encode the PNG. Try again, or use your system's screenshot tool.",
    );
  });

  it('turns an image load Event into words, not [object Event]', () => {
    const text = captureErrorText(new Event('error'));
    expect(text).toContain('a picture on the page could not be loaded (error)');
    expect(text).not.toContain('[object');
  });

  it('says something for anything else', () => {
    expect(captureErrorText('boom')).toContain('Screenshot failed: boom.');
    expect(captureErrorText(undefined)).toContain('Screenshot failed: the browser could not draw the page.');
    expect(captureErrorText(new Error(''))).toContain('the browser could not draw the page');
  });
});
