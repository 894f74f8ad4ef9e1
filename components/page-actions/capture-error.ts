/**
 * What to tell the person when a screenshot fails. html-to-image rejects with a bare DOM Event when
 * an image will not load, which would read "[object Event]".
 */
export function captureErrorText(error: unknown): string {
  let why: string;
  if (error instanceof Error && error.message) why = error.message;
  else if (typeof Event !== 'undefined' && error instanceof Event) why = `a picture on the page could not be loaded (${error.type})`;
  else if (typeof error === 'string' && error) why = error;
  else why = 'the browser could not draw the page';
  return `Screenshot failed: ${why}. Try again, or use your system's screenshot tool.`;
}
