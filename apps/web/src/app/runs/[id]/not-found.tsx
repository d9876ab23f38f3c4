import { NotFoundNotice } from '@/components/page-parts';

export default function RunNotFound() {
  return (
    <NotFoundNotice
      title="Run not found"
      message="The api knows no run with this id. Check the link, or pick a run from the list."
      href="/"
      label="Back to all runs"
    />
  );
}
