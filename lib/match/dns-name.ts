/**
 * DNS names compare case-insensitively and may come fully qualified (`api.stripe.com.` from Cilium,
 * `API.Stripe.com` from a person): every comparison, id and lookup of a name goes through this one form.
 */

/** Lower case, no surrounding spaces, without the one trailing dot of a fully qualified name. */
export function normalizeDnsName(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

/** A name as a person reads it: the trailing dot dropped, the case kept (for display, never for comparing). */
export function displayDnsName(name: string): string {
  const n = name.trim();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}
