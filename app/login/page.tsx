import { safeNextPath } from '@/lib/server/auth';

export const metadata = { title: 'Sign in · Flowsight' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  const { next, error } = await searchParams;
  return (
    <form method="post" action="/api/login" className="mx-auto mt-24 flex max-w-sm flex-col gap-3 rounded border border-slate-200 bg-white p-6">
      <h1 className="text-lg font-semibold">Sign in to Flowsight</h1>
      <p className="text-sm text-slate-600">This dashboard shows your cluster&apos;s traffic. Enter the access token its operator set (FLOWSIGHT_AUTH_TOKEN).</p>
      {error && <p className="text-sm text-red-700">That token is not valid.</p>}
      <input type="password" name="token" autoComplete="current-password" required className="rounded border border-slate-300 px-2 py-1" aria-label="access token" />
      <input type="hidden" name="next" value={safeNextPath(typeof next === 'string' ? next : null)} />
      <button className="rounded bg-slate-800 px-3 py-1.5 text-white">Sign in</button>
    </form>
  );
}
