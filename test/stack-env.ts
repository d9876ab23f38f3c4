/** What global-setup publishes to the test files (they run in other processes). */
export interface TestStackEnv {
  apiUrl: string;
  webUrl: string | null;
  filesUrl: string;
  slackUrl: string;
  databaseUrl: string;
  home: string;
}

export function testStack(): TestStackEnv {
  const raw = process.env.RELAYBOARD_TEST_STACK;
  if (!raw) throw new Error('RELAYBOARD_TEST_STACK is not set: run integration tests through jest (test/global-setup.ts starts the stack)');
  return JSON.parse(raw) as TestStackEnv;
}
