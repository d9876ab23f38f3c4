import type { Metadata } from 'next';
import { SignInForm } from '@/components/sign-in-form';
import { safeReturnPath } from '@/lib/session';

export const metadata: Metadata = { title: 'Sign in' };

export const dynamic = 'force-dynamic';

const REASONS: Record<string, string> = {
  expired: 'Your token no longer works (revoked or expired): sign in with another one.',
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const reason = typeof params.reason === 'string' ? REASONS[params.reason] : undefined;
  return (
    <div className="mx-auto max-w-md space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Sign in</h1>
        <p className="mt-1 text-sm text-slate-600">
          The board acts with an api token. The local stack writes an admin token to{' '}
          <code className="rounded bg-slate-100 px-1">.relayboard/admin-token</code>; an admin makes more with{' '}
          <code className="rounded bg-slate-100 px-1">POST /v1/tokens</code>.
        </p>
      </div>
      {reason && (
        <p role="status" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {reason}
        </p>
      )}
      <SignInForm next={safeReturnPath(params.next)} />
    </div>
  );
}
