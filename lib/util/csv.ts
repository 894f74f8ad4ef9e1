/** CSV as spreadsheets read it safely: RFC 4180 quoting, and no cell that opens as a formula. */

/**
 * Characters that make Excel, LibreOffice or Sheets read a text cell as a formula (or, for tab and
 * carriage return, shift it into one): such a cell gets a leading apostrophe, which spreadsheets
 * show as text and do not evaluate (OWASP, "CSV Injection"). Numbers are values, never formulas.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: text formula-guarded, then quoted when it holds a quote, comma or line break. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
