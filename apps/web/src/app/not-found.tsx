import { NotFoundNotice } from '@/components/page-parts';

export default function NotFound() {
  return (
    <NotFoundNotice
      title="Page not found"
      message="There is nothing at this address."
      href="/"
      label="Back to all runs"
    />
  );
}
