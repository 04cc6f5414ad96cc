import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment against a schema whose keys are the variable names. Every problem is
 * reported at once, each naming the variable and what is expected, so an operator fixes a bad
 * deployment in one round.
 */
export function loadConfig<S extends z.ZodObject<z.ZodRawShape>>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const raw: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    raw[key] = value === '' ? undefined : value;
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const expected = issue.message;
    return raw[variable] === undefined
      ? `${variable} is missing: ${expected}`
      : `${variable}=${JSON.stringify(redact(variable, raw[variable]))} is invalid: ${expected}`;
  });
  throw new ConfigError(problems);
}

function redact(variable: string, value: string | undefined): string | undefined {
  return /SECRET|PASSWORD|KEY|TOKEN/.test(variable) ? '***' : value;
}

/** Reusable field schemas with messages that say what is expected. */
export const env = {
  port: (fallback?: number) => {
    const base = z.coerce
      .number({ message: 'expected a TCP port number' })
      .int('expected a TCP port number')
      .min(0, 'expected a port between 0 and 65535')
      .max(65535, 'expected a port between 0 and 65535');
    return fallback === undefined ? base : base.default(fallback);
  },
  url: (protocols: string[]) =>
    z.string({ message: `expected a URL (${protocols.join(', ')})` }).refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      `expected a URL with scheme ${protocols.join(' or ')}`,
    ),
  hostPort: () =>
    z.string({ message: 'expected host:port' }).regex(/^[A-Za-z0-9_.-]+:\d{1,5}$/, 'expected host:port, e.g. directory:50051'),
  brokers: () =>
    z
      .string({ message: 'expected a comma-separated list of host:port Kafka brokers' })
      .transform((value) =>
        value
          .split(',')
          .map((broker) => broker.trim())
          .filter(Boolean),
      )
      .refine(
        (list) => list.length > 0 && list.every((b) => /^[A-Za-z0-9_.-]+:\d{1,5}$/.test(b)),
        'expected a comma-separated list of host:port Kafka brokers',
      ),
  secret: (minLength = 32) =>
    z
      .string({ message: `expected a secret of at least ${minLength} characters` })
      .min(minLength, `expected a secret of at least ${minLength} characters`),
  seconds: (fallback: number) =>
    z.coerce.number({ message: 'expected a number of seconds' }).int().positive('expected a positive number of seconds').default(fallback),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** Loads a service's schema (an extension of the platform's) and applies the cross-field rules. */
export function loadServiceConfig<S extends z.ZodObject<z.ZodRawShape>>(
  schema: S,
  environment: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const config = loadConfig(schema, environment) as z.infer<S> & {
    ATRIUM_EVENT_BUS?: string;
    KAFKA_BROKERS?: string[];
    ATRIUM_PUBSUB?: string;
    REDIS_URL?: string;
  };
  const problems: string[] = [];
  if (config.ATRIUM_EVENT_BUS === 'kafka' && !config.KAFKA_BROKERS) {
    problems.push('KAFKA_BROKERS is missing: expected host:port of the Kafka brokers when ATRIUM_EVENT_BUS=kafka');
  }
  if (config.ATRIUM_PUBSUB === 'redis' && !config.REDIS_URL) {
    problems.push('REDIS_URL is missing: expected redis://host:port when ATRIUM_PUBSUB=redis');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
