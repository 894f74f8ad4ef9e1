import { downloadBlob } from '../download';
import { captureElement } from './capture';
import { composeWithFooter, readablePage } from './footer';
import { captureRatio, isoWithOffset, screenshotFileName } from './screenshot-name';

/** PNG of the page content (<main>) with the footer under it, downloaded; resolves to the file name. */
export async function downloadScreenshot(): Promise<string> {
  const main = document.querySelector('main');
  if (!main) throw new Error('this page has no content area to capture');
  const at = new Date();
  const { pathname, search } = window.location;
  const ratio = captureRatio(window.devicePixelRatio);
  const shot = await captureElement(main, ratio);
  const out = composeWithFooter(shot, { page: readablePage(pathname, search), time: isoWithOffset(at), scale: ratio }, () => document.createElement('canvas'));
  const blob = await new Promise<Blob>((resolve, reject) =>
    out.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser could not encode the PNG'))), 'image/png'),
  );
  const name = screenshotFileName(pathname, at);
  downloadBlob(name, blob);
  return name;
}
