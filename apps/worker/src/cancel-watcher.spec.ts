import { CancelWatcher, RunCanceled } from './cancel-watcher';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A run row as the watcher reads it: no request until `request` is set. */
function runRow() {
  const row = { request: null as { at: Date; reason: string | null } | null, reads: 0 };
  return { row, repo: { cancelRequest: async () => (row.reads++, row.request) } };
}

describe('CancelWatcher', () => {
  it('sees a request made before the run started at once', async () => {
    const { row, repo } = runRow();
    row.request = { at: new Date(), reason: 'wrong file' };
    const sut = await CancelWatcher.start(repo, 'run-1', 10);
    expect(sut.canceled).toBe(true);
    expect(sut.reason).toBe('wrong file');
    expect(sut.signal.reason).toEqual(new RunCanceled('wrong file'));
    await sleep(30);
    expect(row.reads).toBe(1);
  });

  it('aborts its signal at the next check after a request, and stops reading then', async () => {
    const { row, repo } = runRow();
    const sut = await CancelWatcher.start(repo, 'run-1', 10);
    expect(sut.canceled).toBe(false);
    const aborted = new Promise((resolve) => sut.signal.addEventListener('abort', resolve));
    row.request = { at: new Date(), reason: null };
    await aborted;
    expect(sut.reason).toBe('no reason given');
    const reads = row.reads;
    await sleep(40);
    expect(row.reads).toBe(reads);
  });

  it('reads no more once stopped, and a failed read is tried again', async () => {
    let fail = true;
    const repo = {
      cancelRequest: async () =>
        fail ? Promise.reject(new Error('connection terminated')) : { at: new Date(), reason: 'later' },
    };
    const sut = await CancelWatcher.start(repo, 'run-1', 10);
    expect(sut.canceled).toBe(false);
    fail = false;
    await sleep(40);
    expect(sut.canceled).toBe(true);

    const quiet = runRow();
    const stopped = await CancelWatcher.start(quiet.repo, 'run-2', 10);
    stopped.stop();
    quiet.row.request = { at: new Date(), reason: 'too late' };
    await sleep(40);
    expect(stopped.canceled).toBe(false);
  });
});
