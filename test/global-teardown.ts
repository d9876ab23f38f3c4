import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__relayboardStack;
  if (!state) return;
  await state.stack.stop();
  rmSync(state.home, { recursive: true, force: true });
}
