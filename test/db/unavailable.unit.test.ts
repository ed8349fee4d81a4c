import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/db/unavailable.js';

const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['refused', coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['admin shutdown (restart, pg_terminate_backend)', coded('57P01', 'terminating connection due to administrator command')],
    ['cannot connect now (starting up)', coded('57P03', 'the database system is starting up')],
    ['connection exception class 08', coded('08006')],
    ['too many connections', coded('53300')],
    ['lost mid query', new Error('Connection terminated unexpectedly')],
    ['used after loss', new Error('Client has encountered a connection error and is not queryable')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['happy eyeballs', Object.assign(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')]), { code: undefined })],
    ['wrapped', new Error('ping not stored', { cause: coded('ECONNRESET') })],
  ])('%s is unavailability', (_name, err) => expect(isDatabaseUnavailable(err)).toBe(true));

  it.each([
    ['unique violation', coded('23505', 'duplicate key value violates unique constraint')],
    ['syntax error', coded('42601')],
    ['deadlock', coded('40P01', 'deadlock detected')],
    ['plain error', new Error('boom')],
    ['not an error', 'Connection terminated'],
    ['null', null],
  ])('%s is not', (_name, err) => expect(isDatabaseUnavailable(err)).toBe(false));
});
