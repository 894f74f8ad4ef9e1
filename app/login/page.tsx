import { safeNextPath } from '@/lib/server/access/auth';
import { signInOptions } from '@/lib/server/access/oidc-sign-in';
import { runtime } from '@/lib/server/runtime';

export const metadata = { title: 'Sign in · Flowsight' };

const ERRORS: Record<string, string> = {
  '1': 'That token is not valid.',
  issuer: 'The sign-in service cannot be reached right now. Try again in a moment, or tell the operator.',
  rejected: 'The sign-in could not be completed. Try again.',
  denied: 'Your account is not allowed to use Flowsight. Ask the operator to add you to an allowed group.',
  expired: 'The sign-in took too long or was started in another window. Try again.',
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; error?: string }> }) {
  const { next, error } = await searchParams;
  const target = safeNextPath(typeof next === 'string' ? next : null);
  const options = signInOptions(runtime().config);
  const message = typeof error === 'string' ? ERRORS[error] : undefined;
  return (
    <div className="mx-auto mt-24 flex max-w-sm flex-col gap-4 rounded border border-slate-200 bg-white p-6">
      <h1 className="text-lg font-semibold">Sign in to Flowsight</h1>
      {message && (
        <p className="text-sm text-red-700" role="alert" data-testid="sign-in-error">
          {message}
        </p>
      )}
      {options.oidc && (
        <a href={`/api/login/oidc?next=${encodeURIComponent(target)}`} className="rounded bg-sky-700 px-3 py-1.5 text-center text-white" title={`at ${options.oidc}`}>
          Sign in with single sign-on
        </a>
      )}
      {options.token && (
        <form method="post" action="/api/login" className="flex flex-col gap-3">
          <p className="text-sm text-slate-600">
            {options.oidc ? 'Or enter' : 'This dashboard shows your cluster\u2019s traffic. Enter'} the access token its operator set (FLOWSIGHT_AUTH_TOKEN).
          </p>
          <input type="password" name="token" autoComplete="current-password" required className="rounded border border-slate-300 px-2 py-1" aria-label="access token" />
          <input type="hidden" name="next" value={target} />
          <button className="rounded bg-slate-800 px-3 py-1.5 text-white">Sign in</button>
        </form>
      )}
      {!options.oidc && !options.token && <p className="text-sm text-slate-600">Sign-in happens at the proxy in front of Flowsight; open the dashboard through it.</p>}
    </div>
  );
}
