import { NotFoundNotice } from '@/components/page-parts';

export default function DatasetNotFound() {
  return (
    <NotFoundNotice
      title="Dataset not found"
      message="The api knows no dataset with this name. Check the link, or register it on the datasets page."
      href="/datasets"
      label="Back to all datasets"
    />
  );
}
