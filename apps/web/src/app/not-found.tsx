import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="py-16 text-center">
      <p className="font-mono text-sm font-semibold text-slate-500">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Page not found</h1>
      <p className="mt-2 text-slate-600">There is nothing at this address.</p>
      <Link href="/" className="mt-6 inline-block text-sky-700 underline-offset-2 hover:underline">
        Back to all runs
      </Link>
    </div>
  );
}
