import { ConfigError, loadServiceConfig } from './load-config';
import { platformEnvSchema } from './platform-config';

const valid = {
  DATABASE_URL: 'postgres://u@db:5432/directory',
  KAFKA_BROKERS: 'kafka-0:9092, kafka-1:9092',
  REDIS_URL: 'redis://redis:6379',
  ATRIUM_IDENTITY_KEY: 'k'.repeat(32),
};

function problems(env: Record<string, string>): string[] {
  try {
    loadServiceConfig(platformEnvSchema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('service configuration', () => {
  it('parses a complete environment with defaults', () => {
    const config = loadServiceConfig(platformEnvSchema, valid);
    expect(config).toMatchObject({
      HTTP_PORT: 8080,
      GRPC_PORT: 50051,
      ATRIUM_EVENT_BUS: 'kafka',
      KAFKA_BROKERS: ['kafka-0:9092', 'kafka-1:9092'],
      LOG_LEVEL: 'info',
    });
  });

  it('names a missing variable and says what is expected', () => {
    const { DATABASE_URL: _omitted, ...rest } = valid;
    expect(problems(rest)).toEqual(['DATABASE_URL is missing: expected a URL (postgres, postgresql)']);
  });

  it('reports every bad value at once, and hides secrets', () => {
    const found = problems({ ...valid, HTTP_PORT: 'eighty', DATABASE_URL: 'mysql://db', ATRIUM_IDENTITY_KEY: 'short' });
    expect(found).toHaveLength(3);
    expect(found).toEqual(
      expect.arrayContaining([
        'HTTP_PORT="eighty" is invalid: expected a TCP port number',
        'DATABASE_URL="mysql://db" is invalid: expected a URL with scheme postgres or postgresql',
        'ATRIUM_IDENTITY_KEY="***" is invalid: expected a secret of at least 32 characters',
      ]),
    );
  });

  it('requires the servers of the chosen adapters', () => {
    const { KAFKA_BROKERS: _k, REDIS_URL: _r, ...rest } = valid;
    expect(problems(rest)).toEqual([
      'KAFKA_BROKERS is missing: expected host:port of the Kafka brokers when ATRIUM_EVENT_BUS=kafka',
      'REDIS_URL is missing: expected redis://host:port when ATRIUM_PUBSUB=redis',
    ]);
    expect(
      loadServiceConfig(platformEnvSchema, { ...rest, ATRIUM_EVENT_BUS: 'inprocess', ATRIUM_PUBSUB: 'inprocess' }).ATRIUM_EVENT_BUS,
    ).toBe('inprocess');
  });

  it('refuses a malformed broker list', () => {
    expect(problems({ ...valid, KAFKA_BROKERS: 'kafka-0' })).toEqual([
      'KAFKA_BROKERS="kafka-0" is invalid: expected a comma-separated list of host:port Kafka brokers',
    ]);
  });
});
