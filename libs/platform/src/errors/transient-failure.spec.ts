import { QueryFailedError } from 'typeorm';
import { DomainError } from './domain-error';
import { isTransientFailure, toDomainError } from './transient-failure';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
const kafkaError = (name: string, retriable = false) => Object.assign(new Error(name), { name, retriable });

describe('transient failure classification', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a socket timeout', withCode('connect ETIMEDOUT', 'ETIMEDOUT')],
    ['PostgreSQL shutting down (57P01)', withCode('terminating connection due to administrator command', '57P01')],
    ['PostgreSQL starting up (57P03)', withCode('the database system is starting up', '57P03')],
    ['a PostgreSQL connection failure (08006)', withCode('connection failure', '08006')],
    ['a serialization failure (40001)', withCode('could not serialize access', '40001')],
    ['a lost connection without a code', new Error('Connection terminated unexpectedly')],
    ['a pool that cannot connect', new Error('timeout exceeded when trying to connect')],
    ['an unreachable broker', kafkaError('KafkaJSConnectionError')],
    ['a broker request timeout', kafkaError('KafkaJSRequestTimeoutError')],
    ['retries exhausted against the broker', kafkaError('KafkaJSNumberOfRetriesExceeded')],
    ['a retriable protocol error', kafkaError('KafkaJSProtocolError', true)],
    ['our UNAVAILABLE code', new DomainError('UNAVAILABLE', 'messaging is unavailable')],
    [
      'a driver error wrapped by TypeORM',
      new QueryFailedError('SELECT 1', [], withCode('terminating connection due to administrator command', '57P01')),
    ],
    ['a cause chain', new Error('archive failed', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') })],
    ['an AggregateError of refused addresses', new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')])],
  ])('retries %s', (_what, error) => {
    expect(isTransientFailure(error)).toBe(true);
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], withCode('duplicate key value', '23505'))],
    ['a syntax error', withCode('syntax error at or near', '42601')],
    ['a check violation', withCode('new row violates check constraint', '23514')],
    ['a bug in a handler', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a validation error', new DomainError('VALIDATION_FAILED', 'bad payload')],
    ['a non-retriable protocol error', kafkaError('KafkaJSProtocolError', false)],
    ['not an error at all', 'boom'],
    ['nothing', undefined],
  ])('treats %s as deterministic', (_what, error) => {
    expect(isTransientFailure(error)).toBe(false);
  });
});

describe('toDomainError', () => {
  it('answers an unreachable database as UNAVAILABLE with a retry hint', () => {
    const error = toDomainError(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.details).toEqual({ retryAfterSeconds: 1 });
  });

  it('keeps a domain error and hides anything else as INTERNAL', () => {
    const notFound = new DomainError('NOT_FOUND', 'conversation not found');
    expect(toDomainError(notFound)).toBe(notFound);
    expect(toDomainError(new TypeError('x is undefined'))).toMatchObject({ code: 'INTERNAL', message: 'internal error' });
  });
});
