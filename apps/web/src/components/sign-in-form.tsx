'use client';

import { useActionState } from 'react';
import { signIn, type SignInState } from '@/app/sign-in/actions';
import { FormField } from './form-field';

export function SignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signIn, { error: null });
  return (
    <form action={action} className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <input type="hidden" name="next" value={next} />
      <FormField
        id="token"
        name="token"
        label="API token"
        type="password"
        autoComplete="off"
        spellCheck={false}
        required
        errors={state.error ? [state.error] : []}
      />
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-60"
      >
        Sign in
      </button>
    </form>
  );
}
