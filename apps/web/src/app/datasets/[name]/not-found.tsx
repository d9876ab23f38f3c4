import Link from 'next/link';

export default function DatasetNotFound() {
  return (
    <div className="py-16 text-center">
      <p className="font-mono text-sm font-semibold text-slate-500">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight">Dataset not found</h1>
      <p className="mt-2 text-slate-600">The api knows no dataset with this name. Check the link, or register it on the datasets page.</p>
      <Link href="/datasets" className="mt-6 inline-block text-sky-700 underline-offset-2 hover:underline">
        Back to all datasets
      </Link>
    </div>
  );
}
