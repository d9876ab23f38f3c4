import { RunDetailSkeleton } from '@/components/skeletons';

export default function Loading() {
  return <RunDetailSkeleton />;
}
