/** The `flowsight` command lines of README.md's code blocks, for the tests that run them as written. */

export interface ReadmeCommand {
  /** The line as the README shows it. */
  line: string;
  /** Arguments after `flowsight`. */
  args: string[];
  /** The exit code the README states (`# exits N`), 0 when it states none. */
  exitCode: number;
  /** Runs until stopped: the demo relay, or `--follow`. */
  longRunning: boolean;
}

/** Shell words of one line: single and double quotes group, an unquoted `#` after a space starts a comment. */
export function shellWords(line: string): { words: string[]; comment: string } {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unclosed ${c} in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end + 1;
    } else if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
      i++;
    } else if (c === '#' && word === undefined) {
      return { words, comment: line.slice(i + 1).trim() };
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  return { words, comment: '' };
}

/** The `flowsight` commands of the fenced code blocks of a markdown text. */
export function readmeCommands(markdown: string): ReadmeCommand[] {
  const out: ReadmeCommand[] = [];
  let inBlock = false;
  for (const raw of markdown.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('```')) {
      inBlock = !inBlock;
      continue;
    }
    if (!inBlock || !/^(npx )?flowsight\b/.test(line)) continue;
    const { words, comment } = shellWords(line);
    const start = words[0] === 'npx' && words[1] === 'flowsight' ? 2 : words[0] === 'flowsight' ? 1 : -1;
    if (start < 0) continue;
    const args = words.slice(start);
    const stated = /\bexits? (\d)\b/.exec(comment);
    out.push({ line, args, exitCode: stated ? Number(stated[1]) : 0, longRunning: args[0] === 'demo-relay' || args.includes('--follow') });
  }
  return out;
}
