/**
 * A renderer for the subset of Helm's Go templates the Flowsight chart uses, so the chart's output
 * can be tested where no `helm` binary can be installed (CI reaches only npm and Debian, which ship
 * neither helm nor a faithful port of it). It follows Go's text/template and Sprig semantics for
 * what it supports and refuses everything else, so a template outside the subset fails the test
 * instead of rendering differently from Helm. It is stricter than Helm where Helm is silently lax:
 * a missing value, printing nil, a map or a list, or an `eq` across types are errors.
 *
 * The subset (keep deploy/helm/flowsight/templates within it):
 * - `{{ pipeline }}`, trim markers `{{- ` and ` -}}`, comments `{{/* ... *\/}}`
 * - `if` / `else if` / `else` / `end`, `range` (over a list or map; `$v :=` or `$k, $v :=`), `define`
 * - `$name := pipeline` (scoped to the enclosing block), `$` (the template's root), `.Values.a.b`
 * - literals: "strings" (Go escapes), `raw strings`, integers, true, false, nil; ( ) sub-pipelines
 * - functions: include, toYaml, indent, nindent, quote, default, empty, required, fail, and, or,
 *   not, eq, ne, printf (%s %d %v), trunc, trimSuffix, contains, join
 * - objects: .Values, .Release (Name, Namespace, Service, IsInstall, IsUpgrade, Revision),
 *   .Chart (Name, Version, AppVersion)
 */

import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export class TemplateError extends Error {
  constructor(message: string, readonly where: string) {
    super(`${where}: ${message}`);
    this.name = 'TemplateError';
  }
}

type Value = unknown;

type Arg =
  | { kind: 'field'; base: 'dot' | { variable: string }; path: string[] }
  | { kind: 'literal'; value: Value }
  | { kind: 'ident'; name: string }
  | { kind: 'pipe'; pipe: Pipeline };

interface Pipeline {
  /** `$x := ...` (declare) or `$x = ...` (assign). */
  assign?: { names: string[]; declare: boolean };
  commands: Arg[][];
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipeline; where: string }
  | { kind: 'if'; branches: { cond: Pipeline; body: Node[] }[]; otherwise: Node[] | null; where: string }
  | { kind: 'range'; pipe: Pipeline; body: Node[]; otherwise: Node[] | null; where: string };

type Token = { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'word'; v: string } | { t: 'punct'; v: string };

/** `{{ ... }}` actions and the text between them, with Go's trim markers applied. */
function lex(source: string, file: string): ({ kind: 'text'; text: string } | { kind: 'action'; body: string; where: string })[] {
  const out: ({ kind: 'text'; text: string } | { kind: 'action'; body: string; where: string })[] = [];
  let pos = 0;
  let trimNext = false;
  const lineAt = (i: number) => source.slice(0, i).split('\n').length;
  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    let text = source.slice(pos, open === -1 ? source.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open === -1) {
      out.push({ kind: 'text', text });
      break;
    }
    let start = open + 2;
    if (/^-[ \t\r\n]/.test(source.slice(start, start + 2))) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    out.push({ kind: 'text', text });
    const where = `${file}:${lineAt(open)}`;
    let close: number;
    if (source.startsWith('/*', source.slice(start).search(/\S/) + start)) {
      const endComment = source.indexOf('*/', start);
      if (endComment === -1) throw new TemplateError('unclosed comment', where);
      close = source.indexOf('}}', endComment);
    } else {
      close = findClose(source, start, where);
    }
    if (close === -1) throw new TemplateError('unclosed action', where);
    let body = source.slice(start, close);
    trimNext = false;
    if (/[ \t\r\n]-$/.test(body)) {
      body = body.slice(0, -1);
      trimNext = true;
    }
    if (!body.trim().startsWith('/*')) out.push({ kind: 'action', body, where });
    pos = close + 2;
  }
  return out;
}

/** The `}}` closing an action that starts at `start`, skipping quoted strings. */
function findClose(source: string, start: number, where: string): number {
  let i = start;
  while (i < source.length) {
    const c = source[i];
    if (c === '"') {
      i++;
      while (i < source.length && source[i] !== '"') i += source[i] === '\\' ? 2 : 1;
      if (i >= source.length) throw new TemplateError('unterminated string', where);
    } else if (c === '`') {
      i = source.indexOf('`', i + 1);
      if (i === -1) throw new TemplateError('unterminated raw string', where);
    } else if (c === '}' && source[i + 1] === '}') {
      return i;
    }
    i++;
  }
  return -1;
}

function tokenize(body: string, where: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < body.length && body[j] !== '"') j += body[j] === '\\' ? 2 : 1;
      tokens.push({ t: 'str', v: JSON.parse(body.slice(i, j + 1)) as string });
      i = j + 1;
    } else if (c === '`') {
      const j = body.indexOf('`', i + 1);
      tokens.push({ t: 'str', v: body.slice(i + 1, j) });
      i = j + 1;
    } else if (body.startsWith(':=', i)) {
      tokens.push({ t: 'punct', v: ':=' });
      i += 2;
    } else if ('()|=,'.includes(c)) {
      tokens.push({ t: 'punct', v: c });
      i++;
    } else {
      const m = /^-?[0-9]+(?![A-Za-z_.])/.exec(body.slice(i)) ?? /^[$.A-Za-z_][$.A-Za-z0-9_]*/.exec(body.slice(i));
      if (!m) throw new TemplateError(`unexpected "${c}"`, where);
      tokens.push(/^-?[0-9]/.test(m[0]) ? { t: 'num', v: Number(m[0]) } : { t: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

function parsePipeline(tokens: Token[], where: string): Pipeline {
  let pos = 0;
  const pipe: Pipeline = { commands: [] };
  // `$a := x`, `$a, $b := x` (range only), `$a = x`
  const decl = tokens.findIndex((t) => t.t === 'punct' && (t.v === ':=' || t.v === '='));
  if (decl > 0 && tokens.slice(0, decl).every((t) => (t.t === 'word' && /^\$[A-Za-z0-9_]*$/.test(t.v)) || (t.t === 'punct' && t.v === ','))) {
    const names = tokens.slice(0, decl).filter((t) => t.t === 'word').map((t) => t.v as string);
    pipe.assign = { names, declare: (tokens[decl] as { v: string }).v === ':=' };
    pos = decl + 1;
  }
  const parseArgs = (stopAtParen: boolean): Pipeline['commands'] => {
    const commands: Arg[][] = [[]];
    while (pos < tokens.length) {
      const tok = tokens[pos];
      if (tok.t === 'punct' && tok.v === ')') {
        if (!stopAtParen) throw new TemplateError('unexpected )', where);
        pos++;
        return commands;
      }
      pos++;
      if (tok.t === 'punct' && tok.v === '|') {
        commands.push([]);
        continue;
      }
      const cmd = commands[commands.length - 1];
      if (tok.t === 'punct' && tok.v === '(') {
        cmd.push({ kind: 'pipe', pipe: { commands: parseArgs(true) } });
      } else if (tok.t === 'str' || tok.t === 'num') {
        cmd.push({ kind: 'literal', value: tok.v });
      } else if (tok.t === 'word') {
        const w = tok.v;
        if (w === 'true' || w === 'false') cmd.push({ kind: 'literal', value: w === 'true' });
        else if (w === 'nil') cmd.push({ kind: 'literal', value: null });
        else if (w.startsWith('.')) cmd.push({ kind: 'field', base: 'dot', path: w === '.' ? [] : w.slice(1).split('.') });
        else if (w.startsWith('$')) {
          const [variable, ...rest] = w.split('.');
          cmd.push({ kind: 'field', base: { variable }, path: rest });
        } else cmd.push({ kind: 'ident', name: w });
      } else {
        throw new TemplateError(`unexpected "${tok.v}"`, where);
      }
    }
    if (stopAtParen) throw new TemplateError('unclosed (', where);
    return commands;
  };
  pipe.commands = parseArgs(false);
  if (pipe.commands.some((c) => c.length === 0)) throw new TemplateError('empty command in pipeline', where);
  return pipe;
}

interface ParsedTemplate {
  nodes: Node[];
  defines: Map<string, Node[]>;
}

/** Parses one template file into its output nodes and the named templates it defines. */
export function parseTemplate(source: string, file: string): ParsedTemplate {
  const items = lex(source, file);
  const defines = new Map<string, Node[]>();
  let i = 0;
  // Returns the nodes up to a closing keyword, and that keyword's action.
  const parseList = (closers: string[]): { nodes: Node[]; closer: { word: string; rest: Token[]; where: string } | null } => {
    const nodes: Node[] = [];
    while (i < items.length) {
      const item = items[i++];
      if (item.kind === 'text') {
        if (item.text) nodes.push({ kind: 'text', text: item.text });
        continue;
      }
      const tokens = tokenize(item.body, item.where);
      if (tokens.length === 0) throw new TemplateError('empty action', item.where);
      const head = tokens[0].t === 'word' ? tokens[0].v : '';
      if (closers.includes(head)) return { nodes, closer: { word: head, rest: tokens.slice(1), where: item.where } };
      if (head === 'if') {
        const branches = [{ cond: parsePipeline(tokens.slice(1), item.where), body: [] as Node[] }];
        let otherwise: Node[] | null = null;
        for (;;) {
          const part = parseList(['else', 'end']);
          if (!part.closer) throw new TemplateError('if without end', item.where);
          if (otherwise) otherwise = part.nodes;
          else branches[branches.length - 1].body = part.nodes;
          if (part.closer.word === 'end') break;
          if (otherwise) throw new TemplateError('else after else', part.closer.where);
          const rest = part.closer.rest;
          if (rest.length && rest[0].t === 'word' && rest[0].v === 'if') branches.push({ cond: parsePipeline(rest.slice(1), part.closer.where), body: [] });
          else if (rest.length) throw new TemplateError('only `else` and `else if` are supported', part.closer.where);
          else otherwise = [];
        }
        nodes.push({ kind: 'if', branches, otherwise, where: item.where });
      } else if (head === 'range') {
        const pipe = parsePipeline(tokens.slice(1), item.where);
        const body = parseList(['else', 'end']);
        if (!body.closer) throw new TemplateError('range without end', item.where);
        let otherwise: Node[] | null = null;
        if (body.closer.word === 'else') {
          const rest = parseList(['end']);
          if (!rest.closer) throw new TemplateError('range without end', item.where);
          otherwise = rest.nodes;
        }
        nodes.push({ kind: 'range', pipe, body: body.nodes, otherwise, where: item.where });
      } else if (head === 'define') {
        const name = tokens[1];
        if (tokens.length !== 2 || name.t !== 'str') throw new TemplateError('define takes one quoted name', item.where);
        const body = parseList(['end']);
        if (!body.closer) throw new TemplateError('define without end', item.where);
        defines.set(name.v, body.nodes);
      } else if (['else', 'end', 'with', 'template', 'block', 'break', 'continue'].includes(head)) {
        throw new TemplateError(`"${head}" is outside the supported subset here`, item.where);
      } else {
        nodes.push({ kind: 'action', pipe: parsePipeline(tokens, item.where), where: item.where });
      }
    }
    return { nodes, closer: null };
  };
  const top = parseList([]);
  return { nodes: top.nodes, defines };
}

/** Go's truthiness: false, 0, nil, and empty strings, lists and maps are false. */
export function truthy(v: Value): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/**
 * How Go prints a value (`{{ x }}`, quote, printf %v). Helm's values are float64: integers of a
 * million or more would print as 1e+06, so they are refused rather than printed differently.
 */
function goString(v: Value, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (Math.abs(v) >= 1e6) throw new TemplateError(`${v}: Helm prints numbers this large in exponent form`, where);
    return String(v);
  }
  if (v === null || v === undefined) throw new TemplateError('printing nil (Helm prints an empty string): a value is missing', where);
  throw new TemplateError(`printing a ${Array.isArray(v) ? 'list' : 'map'} (use toYaml)`, where);
}

/** Helm's toYaml (sigs.k8s.io/yaml): keys sorted, lists not indented under their key, no trailing newline. */
function toYaml(v: Value): string {
  if (v === null || v === undefined) return 'null';
  return YAML.stringify(v, { sortMapEntries: true, lineWidth: 0, indentSeq: false }).replace(/\n$/, '');
}

function indent(n: number, s: string): string {
  const pad = ' '.repeat(n);
  return pad + s.replace(/\n/g, `\n${pad}`);
}

interface Scope {
  vars: Map<string, Value>;
  parent: Scope | null;
}

function lookupVar(scope: Scope, name: string, where: string): Value {
  for (let s: Scope | null = scope; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name);
  throw new TemplateError(`undefined variable ${name}`, where);
}

function setVar(scope: Scope, name: string, value: Value, where: string): void {
  for (let s: Scope | null = scope; s; s = s.parent) {
    if (s.vars.has(name)) {
      s.vars.set(name, value);
      return;
    }
  }
  throw new TemplateError(`assignment to undeclared variable ${name}`, where);
}

/**
 * `.a.b` of a value. A key missing from a map is nil, as in Helm (missingkey=zero), or an error when
 * strict (as `helm lint --strict`); reading a field of nil is an error in both, as in Go.
 */
function field(base: Value, pathParts: string[], where: string, label: string, strict: boolean): Value {
  let v = base;
  let at = label;
  for (const key of pathParts) {
    if (v === null || v === undefined) throw new TemplateError(`nil pointer evaluating ${at}.${key}`, where);
    if (typeof v !== 'object' || Array.isArray(v)) throw new TemplateError(`${at} is not a map, cannot read .${key}`, where);
    if (!Object.prototype.hasOwnProperty.call(v, key)) {
      if (strict) throw new TemplateError(`${at}.${key} is not defined (a value missing from values.yaml?)`, where);
      v = undefined;
    } else {
      v = (v as Record<string, Value>)[key];
    }
    at = `${at}.${key}`;
  }
  return v;
}

export interface RenderContext {
  Values: Record<string, Value>;
  Release: { Name: string; Namespace: string; Service: string; IsInstall: boolean; IsUpgrade: boolean; Revision: number };
  Chart: { Name: string; Version: string; AppVersion: string };
}

class Renderer {
  constructor(
    private readonly defines: Map<string, Node[]>,
    private readonly strict: boolean,
  ) {}

  renderNodes(nodes: Node[], dot: Value, scope: Scope): string {
    let out = '';
    for (const node of nodes) {
      if (node.kind === 'text') out += node.text;
      else if (node.kind === 'action') {
        const v = this.pipeline(node.pipe, dot, scope, node.where);
        if (!node.pipe.assign) out += goString(v, node.where);
      } else if (node.kind === 'if') {
        const inner: Scope = { vars: new Map(), parent: scope };
        const branch = node.branches.find((b) => truthy(this.pipeline(b.cond, dot, inner, node.where)));
        if (branch) out += this.renderNodes(branch.body, dot, inner);
        else if (node.otherwise) out += this.renderNodes(node.otherwise, dot, inner);
      } else {
        const inner: Scope = { vars: new Map(), parent: scope };
        const names = node.pipe.assign?.names ?? [];
        const over = this.pipeline({ commands: node.pipe.commands }, dot, inner, node.where);
        let entries: [Value, Value][] = [];
        if (Array.isArray(over)) entries = over.map((v, i) => [i, v]);
        else if (over && typeof over === 'object') entries = Object.keys(over).sort().map((k) => [k, (over as Record<string, Value>)[k]]);
        else if (over !== null && over !== undefined) throw new TemplateError('range over something that is not a list or map', node.where);
        if (entries.length === 0) {
          if (node.otherwise) out += this.renderNodes(node.otherwise, dot, inner);
          continue;
        }
        for (const [k, v] of entries) {
          const iteration: Scope = { vars: new Map(), parent: inner };
          if (names.length === 1) iteration.vars.set(names[0], v);
          if (names.length === 2) {
            iteration.vars.set(names[0], k);
            iteration.vars.set(names[1], v);
          }
          out += this.renderNodes(node.body, v, iteration);
        }
      }
    }
    return out;
  }

  pipeline(pipe: Pipeline, dot: Value, scope: Scope, where: string): Value {
    let result: Value = undefined;
    let first = true;
    for (const cmd of pipe.commands) {
      result = this.command(cmd, dot, scope, where, first ? [] : [result]);
      first = false;
    }
    if (pipe.assign) {
      if (pipe.assign.names.length !== 1) throw new TemplateError('only range declares two variables', where);
      if (pipe.assign.declare) scope.vars.set(pipe.assign.names[0], result);
      else setVar(scope, pipe.assign.names[0], result, where);
    }
    return result;
  }

  private arg(a: Arg, dot: Value, scope: Scope, where: string): Value {
    if (a.kind === 'literal') return a.value;
    if (a.kind === 'pipe') return this.pipeline(a.pipe, dot, scope, where);
    if (a.kind === 'ident') return this.call(a.name, [], dot, scope, where);
    if (a.base === 'dot') return field(dot, a.path, where, '.', this.strict);
    return field(lookupVar(scope, a.base.variable, where), a.path, where, a.base.variable, this.strict);
  }

  private command(cmd: Arg[], dot: Value, scope: Scope, where: string, piped: Value[]): Value {
    const [head, ...rest] = cmd;
    if (head.kind === 'ident') {
      // `and` and `or` stop at the first argument that decides them, as Go's do.
      if (head.name === 'and' || head.name === 'or') {
        const args = [...rest.map((a) => () => this.arg(a, dot, scope, where)), ...piped.map((p) => () => p)];
        let last: Value = undefined;
        for (const get of args) {
          last = get();
          if (head.name === 'and' ? !truthy(last) : truthy(last)) return last;
        }
        return last;
      }
      return this.call(head.name, [...rest.map((a) => this.arg(a, dot, scope, where)), ...piped], dot, scope, where);
    }
    if (rest.length || piped.length) throw new TemplateError('arguments given to a value that is not a function', where);
    return this.arg(head, dot, scope, where);
  }

  private call(name: string, args: Value[], _dot: Value, _scope: Scope, where: string): Value {
    const need = (n: number) => {
      if (args.length !== n) throw new TemplateError(`${name} takes ${n} argument(s), got ${args.length}`, where);
    };
    const str = (v: Value) => goString(v, where);
    switch (name) {
      case 'include': {
        need(2);
        const body = this.defines.get(String(args[0]));
        if (!body) throw new TemplateError(`no template "${String(args[0])}"`, where);
        return this.renderNodes(body, args[1], { vars: new Map([['$', args[1]]]), parent: null });
      }
      case 'toYaml':
        need(1);
        return toYaml(args[0]);
      case 'indent':
      case 'nindent': {
        need(2);
        if (typeof args[0] !== 'number') throw new TemplateError(`${name} takes the width first`, where);
        return (name === 'nindent' ? '\n' : '') + indent(args[0], str(args[1]));
      }
      case 'quote':
        return args.filter((a) => a !== null && a !== undefined).map((a) => JSON.stringify(str(a))).join(' ');
      case 'default':
        if (args.length !== 1 && args.length !== 2) throw new TemplateError('default takes 1 or 2 arguments', where);
        return args.length === 2 && truthy(args[1]) ? args[1] : args[0];
      case 'empty':
        need(1);
        return !truthy(args[0]);
      case 'not':
        need(1);
        return !truthy(args[0]);
      case 'required':
        need(2);
        if (args[1] === null || args[1] === undefined || args[1] === '') throw new TemplateError(`required: ${String(args[0])}`, where);
        return args[1];
      case 'fail':
        need(1);
        throw new TemplateError(`fail: ${String(args[0])}`, where);
      case 'eq':
      case 'ne': {
        if (args.length < 2) throw new TemplateError(`${name} takes 2 or more arguments`, where);
        const [a, ...others] = args;
        for (const b of others) {
          if (typeof a !== typeof b || (typeof a === 'object' && a !== null)) throw new TemplateError(`incompatible types for comparison (${typeof a}, ${typeof b}); Helm's numbers are float64`, where);
        }
        const equal = others.some((b) => a === b);
        return name === 'eq' ? equal : !equal;
      }
      case 'printf': {
        if (typeof args[0] !== 'string') throw new TemplateError('printf takes a format string', where);
        let n = 1;
        return args[0].replace(/%([sdv%])/g, (_m, verb: string) => {
          if (verb === '%') return '%';
          if (n >= args.length) throw new TemplateError('printf: missing argument', where);
          const v = args[n++];
          if (verb === 'd' && (typeof v !== 'number' || !Number.isInteger(v))) throw new TemplateError('printf %d of a non-integer', where);
          return str(v);
        });
      }
      case 'trunc':
        need(2);
        return str(args[1]).slice(0, Number(args[0]));
      case 'trimSuffix': {
        need(2);
        const [suffix, s] = [str(args[0]), str(args[1])];
        return suffix && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s;
      }
      case 'contains':
        need(2);
        return str(args[1]).includes(str(args[0]));
      case 'join': {
        need(2);
        if (!Array.isArray(args[1])) throw new TemplateError('join takes a list', where);
        return args[1].map((v) => str(v)).join(str(args[0]));
      }
      default:
        throw new TemplateError(`function "${name}" is outside the supported subset`, where);
    }
  }
}

/**
 * Helm's merge of user values over the chart's: maps merge key by key, anything else (lists
 * included) replaces, and null deletes the key.
 */
export function mergeValues(base: Record<string, Value>, override: Record<string, Value>): Record<string, Value> {
  const out: Record<string, Value> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    const b = out[k];
    if (v === null) delete out[k];
    else if (v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)) out[k] = mergeValues(b as Record<string, Value>, v as Record<string, Value>);
    else out[k] = v;
  }
  return out;
}

export interface RenderedChart {
  /** Rendered output per template file (templates/ relative path), empty files included. */
  files: Map<string, string>;
  /** Every non-empty YAML document of the .yaml templates, in file order. */
  objects: Record<string, unknown>[];
}

export interface RenderOptions {
  releaseName?: string;
  namespace?: string;
  /** Values over the chart's values.yaml, as `-f` files would give them (merged in order). */
  values?: Record<string, Value>[];
  /** A value the templates read but nobody set is an error (default true), as with `helm lint --strict`. */
  strict?: boolean;
}

/** `helm template` for the subset: the chart's values.yaml merged with `values`, every template rendered. */
export function renderChart(chartDir: string, options: RenderOptions = {}): RenderedChart {
  const chart = YAML.parse(fs.readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8')) as { name: string; version: string; appVersion: string };
  let values = (YAML.parse(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) ?? {}) as Record<string, Value>;
  for (const v of options.values ?? []) values = mergeValues(values, v);
  const context: RenderContext = {
    Values: values,
    Release: { Name: options.releaseName ?? 'flowsight', Namespace: options.namespace ?? 'flowsight', Service: 'Helm', IsInstall: true, IsUpgrade: false, Revision: 1 },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
  };
  const templatesDir = path.join(chartDir, 'templates');
  const names = fs.readdirSync(templatesDir).filter((n) => /\.(ya?ml|tpl|txt)$/.test(n)).sort();
  const parsed = names.map((n) => ({ name: n, ...parseTemplate(fs.readFileSync(path.join(templatesDir, n), 'utf8'), `templates/${n}`) }));
  const defines = new Map<string, Node[]>();
  for (const p of parsed) for (const [k, v] of p.defines) defines.set(k, v);
  const renderer = new Renderer(defines, options.strict ?? true);
  const files = new Map<string, string>();
  const objects: Record<string, unknown>[] = [];
  for (const p of parsed) {
    if (p.name.startsWith('_')) continue;
    const text = renderer.renderNodes(p.nodes, context, { vars: new Map([['$', context]]), parent: null });
    files.set(p.name, text);
    if (!/\.ya?ml$/.test(p.name)) continue;
    for (const doc of YAML.parseAllDocuments(text)) {
      if (doc.errors.length) throw new TemplateError(`rendered YAML does not parse: ${doc.errors[0].message}\n${text}`, `templates/${p.name}`);
      const obj = doc.toJS() as unknown;
      if (obj === null || obj === undefined) continue;
      if (typeof obj !== 'object' || Array.isArray(obj)) throw new TemplateError('a rendered document is not a map', `templates/${p.name}`);
      objects.push(obj as Record<string, unknown>);
    }
  }
  return { files, objects };
}
