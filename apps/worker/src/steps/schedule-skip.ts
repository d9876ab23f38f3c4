/** What a scheduled run's fetch step knows when it decides whether the run loads anything. */
export interface SkipFacts {
  trigger: string;
  sourceType: 'url' | 'upload';
  /** The dataset's schedule says run anyway (false when it has no schedule any more). */
  alwaysRun: boolean;
  /** sha256 of what was just fetched (null when nothing was: an uploaded dataset). */
  fetchedSha256: string | null;
  /** The dataset's current version before this run. */
  current: { id: string; sha256: string; fetchedAt: Date } | null;
}

export type SkipDecision = { skip: false } | { skip: true; reason: string; unchangedSince: string | null };

/**
 * A scheduled run is skipped (no stage, no transform, no digest) when it has
 * nothing new to load: its URL answered the same bytes as the current version,
 * or the dataset is uploaded (a schedule cannot fetch a file nobody sent),
 * unless the schedule says alwaysRun. Runs started any other way always run.
 */
export function decideSkip(facts: SkipFacts): SkipDecision {
  if (facts.trigger !== 'schedule' || facts.alwaysRun) return { skip: false };
  if (facts.sourceType === 'upload') {
    return {
      skip: true,
      reason:
        'the dataset is uploaded, so a schedule has no source to fetch again; upload a new file, or set alwaysRun on the schedule to run the current version anyway',
      unchangedSince: facts.current?.id ?? null,
    };
  }
  if (!facts.current || facts.fetchedSha256 === null || facts.fetchedSha256 !== facts.current.sha256)
    return { skip: false };
  return {
    skip: true,
    reason: `source unchanged since version ${facts.current.id} (sha256 ${facts.current.sha256}, fetched ${facts.current.fetchedAt.toISOString()}); set alwaysRun on the schedule to run anyway`,
    unchangedSince: facts.current.id,
  };
}
