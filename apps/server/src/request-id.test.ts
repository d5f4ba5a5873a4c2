import { describe, expect, it } from 'vitest';
import { requestIdOf } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const idFor = (header: string | string[] | undefined) => requestIdOf({ headers: { 'x-request-id': header } });

describe('requestIdOf', () => {
  it.each(['abc', 'Root=1-67891233-abcdef012345678912345678', 'x'.repeat(128), '7f3a9c2e-0b1d-4c5e-8f6a-1b2c3d4e5f60'])('keeps %s', (id) => {
    expect(idFor(id)).toBe(id);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['129 characters', 'x'.repeat(129)],
    ['a space', 'a b'],
    ['a line break', 'a\nb'],
    ['a tab', 'a\tb'],
    ['non-ASCII', 'café'],
    ['sent twice', ['a', 'b']],
  ])('generates a UUID when the header is %s', (_, header) => {
    expect(idFor(header)).toMatch(UUID);
  });

  it('generates a different id each time', () => {
    expect(idFor(undefined)).not.toBe(idFor(undefined));
  });
});
