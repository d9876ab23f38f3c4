import { signOut } from '@/app/sign-in/actions';

/** Ends the board session: the cookie goes, and the next page asks for a token again. */
export function SignOutButton() {
  return (
    <form action={signOut}>
      <button
        type="submit"
        className="text-sm font-medium text-slate-600 underline-offset-4 hover:text-slate-900 hover:underline"
      >
        Sign out
      </button>
    </form>
  );
}
