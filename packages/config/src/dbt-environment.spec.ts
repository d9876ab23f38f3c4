import { dbtEnvironment, loadConfig } from './index';

describe("dbt's environment", () => {
  const parent: NodeJS.ProcessEnv = {
    PATH: '/usr/bin:/bin',
    HOME: '/root',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    DBT_ENV_SECRET_API_KEY: 'for-peoples-models',
    DBT_ENV_CUSTOM_ENV_TEAM: 'data',
    DATABASE_URL: 'postgres://meta:meta-password@db.internal:5432/meta',
    WAREHOUSE_URL: 'postgres://wh:wh-password@wh.internal:6543/warehouse',
    REDIS_URL: 'redis://:redis-password@redis.internal:6379',
    S3_ACCESS_KEY: 'AKIA-EXAMPLE',
    S3_SECRET_KEY: 's3-secret-key',
    SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/secret',
    AWS_SECRET_ACCESS_KEY: 'aws-secret',
  };
  const sut = dbtEnvironment(loadConfig(parent), parent);

  it('hands dbt the warehouse connection that profiles.yml reads', () => {
    expect(sut).toMatchObject({
      RELAYBOARD_PGHOST: 'wh.internal',
      RELAYBOARD_PGPORT: '6543',
      RELAYBOARD_PGUSER: 'wh',
      RELAYBOARD_PGPASSWORD: 'wh-password',
      RELAYBOARD_PGDATABASE: 'warehouse',
      DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
    });
  });

  it("keeps what a process needs and dbt's own variables", () => {
    expect(sut).toMatchObject({
      PATH: '/usr/bin:/bin',
      HOME: '/root',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      DBT_ENV_SECRET_API_KEY: 'for-peoples-models',
      DBT_ENV_CUSTOM_ENV_TEAM: 'data',
    });
  });

  it("leaves out every other variable of the worker's, its secrets among them", () => {
    for (const name of [
      'DATABASE_URL',
      'WAREHOUSE_URL',
      'REDIS_URL',
      'S3_ACCESS_KEY',
      'S3_SECRET_KEY',
      'SLACK_WEBHOOK_URL',
      'AWS_SECRET_ACCESS_KEY',
    ])
      expect(sut).not.toHaveProperty(name);
    const values = Object.values(sut).join('\n');
    for (const secret of ['meta-password', 'redis-password', 's3-secret-key', 'aws-secret', 'AKIA-EXAMPLE'])
      expect(values).not.toContain(secret);
  });
});
