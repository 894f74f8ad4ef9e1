/**
 * A strict RFC 4180 reader for tests: reads back what the export wrote, so a test can check the
 * cells a spreadsheet would see. Throws on malformed input rather than guessing.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  let cellStarted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
        if (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') throw new Error(`text after a closing quote at ${i}`);
      } else {
        cell += c;
        i++;
      }
      continue;
    }
    if (c === '"') {
      if (cellStarted) throw new Error(`a quote inside an unquoted cell at ${i}`);
      quoted = true;
      cellStarted = true;
      i++;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
      cellStarted = false;
      i++;
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] !== '\n') throw new Error(`a bare carriage return at ${i}`);
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      cellStarted = false;
      i += c === '\r' ? 2 : 1;
    } else {
      cell += c;
      cellStarted = true;
      i++;
    }
  }
  if (quoted) throw new Error('unterminated quoted cell');
  if (cellStarted || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
