'use client';

import { useQuery } from '@tanstack/react-query';
import { meQuery } from './api/queries';

/**
 * Who is signed in, with sign-out where it means something, and a note when the user sees only
 * some namespaces (so an empty map reads as "not yours", not "no traffic").
 */
export function SignedInAs() {
  const { data: me } = useQuery(meQuery());
  if (!me || me.via === 'open') return null;
  const who = me.via === 'token' ? 'access token' : (me.name ?? me.user ?? '');
  const scoped = me.namespaces !== 'all';
  return (
    <div className="flex items-center gap-2" data-testid="signed-in-as">
      <span className="text-slate-300" title={me.user ?? undefined}>
        {who}
      </span>
      {scoped && (
        <span
          data-testid="namespace-scope"
          className="rounded bg-amber-900/60 px-1.5 py-0.5 text-amber-200"
          title={`You see flows, policies and findings of these namespaces only: ${(me.namespaces as string[]).join(', ') || 'none'}`}
        >
          {(me.namespaces as string[]).length === 1 ? `namespace ${(me.namespaces as string[])[0]}` : `${(me.namespaces as string[]).length} namespaces`}
        </span>
      )}
      {me.canSignOut && (
        <form method="post" action="/api/logout">
          <button className="rounded px-2 py-1 text-slate-300 hover:bg-slate-800">Sign out</button>
        </form>
      )}
    </div>
  );
}
