import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__relayboardStack;
  if (!state) return;
  await state.stack.stop();
  // RELAYBOARD_TEST_KEEP=1 keeps the stack's folder (logs, data) to look into a failure.
  if (process.env.RELAYBOARD_TEST_KEEP === '1') console.log(`kept the test stack's folder: ${state.home}`);
  else rmSync(state.home, { recursive: true, force: true });
}
