/** Reading URL search parameters safely: maps without prototypes, repeats reported, one result shape. */

import type { ParamProblem } from './problem';

/** A parser's answer: the value, or every problem found, each naming its parameter. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: ParamProblem[] };

/**
 * Parameter name -> its values. The map has no prototype: a parameter named `constructor`,
 * `toString` or `__proto__` is just an unknown name, never an inherited member.
 */
export function searchParamsToRecord(params: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  for (const [k, v] of params) {
    const list = Object.hasOwn(out, k) ? out[k] : (out[k] = []);
    list.push(v);
  }
  return out;
}

/** Each parameter given at most once (a repeat is reported); values by name, without a prototype. */
export function singleValuedParams(params: URLSearchParams): { values: Record<string, string>; repeated: string[] } {
  const values: Record<string, string> = Object.create(null);
  const repeated: string[] = [];
  for (const [k, list] of Object.entries(searchParamsToRecord(params))) {
    if (list.length > 1) repeated.push(k);
    else values[k] = list[0];
  }
  return { values, repeated };
}

/** For endpoints that take no parameters but refuse them (a typo should not pass unnoticed). */
export function parseNoParams(params: URLSearchParams): Parsed<Record<string, never>> {
  const given = [...new Set(params.keys())];
  return given.length ? { ok: false, problems: [{ param: given.join(', '), message: 'this endpoint takes no parameters' }] } : { ok: true, value: {} };
}
