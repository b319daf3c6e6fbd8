import { DEFAULT_ACCESS_OPTIONS } from './config';
import { parseCommentBody } from '../http';
import { parseCreateBody } from './body';

const body = {
  entityRef: 'payments',
  reason: 'Checkout fails for EU customers',
  durationMinutes: 30,
};

describe('parseCreateBody', () => {
  it('completes a short entity ref and trims what people type', () => {
    expect(
      parseCreateBody(
        {
          ...body,
          environment: ' production ',
          reason: '  Checkout fails for EU customers  ',
          ticket: ' INC-1 ',
        },
        DEFAULT_ACCESS_OPTIONS,
      ),
    ).toEqual({
      entityRef: 'component:default/payments',
      environment: 'production',
      reason: 'Checkout fails for EU customers',
      ticket: 'INC-1',
      durationMinutes: 30,
      breakGlass: false,
    });
  });

  it.each<[string, unknown, string]>([
    ['an array', [body], 'must be a JSON object'],
    [
      'an entityRef that is not text',
      { ...body, entityRef: 7 },
      'entityRef must be a string',
    ],
    ['a reason of spaces', { ...body, reason: '   ' }, 'reason is required'],
    ['a duration of zero', { ...body, durationMinutes: 0 }, 'from 1 to 480'],
    ['a duration of text', { ...body, durationMinutes: '30' }, 'whole number'],
    ['a ticket too long', { ...body, ticket: 'T'.repeat(256) }, 'at most 255'],
    ['breakGlass as text', { ...body, breakGlass: 'true' }, 'true or false'],
  ])('refuses %s', (_what, input, message) => {
    expect(() => parseCreateBody(input, DEFAULT_ACCESS_OPTIONS)).toThrow(
      message,
    );
  });

  it('matches the whole ticket against the configured pattern', () => {
    const options = { ...DEFAULT_ACCESS_OPTIONS, ticketPattern: 'INC-\\d+' };
    expect(parseCreateBody({ ...body, ticket: 'INC-12' }, options).ticket).toBe(
      'INC-12',
    );
    expect(() =>
      parseCreateBody({ ...body, ticket: 'INC-12 and more' }, options),
    ).toThrow('does not match the required pattern');
  });
});

describe('parseCommentBody', () => {
  const limits = { required: false, maxLength: 10 };
  it.each<[unknown, string | undefined]>([
    [undefined, undefined],
    [{}, undefined],
    [{ comment: '  ' }, undefined],
    [{ comment: ' fine ' }, 'fine'],
    ['not an object', undefined],
  ])('reads %p as %p', (input, expected) => {
    expect(parseCommentBody(input, limits)).toBe(expected);
  });

  it('requires a comment where told, and keeps it short', () => {
    expect(() => parseCommentBody({}, { ...limits, required: true })).toThrow(
      'comment is required',
    );
    expect(() => parseCommentBody({ comment: 'x'.repeat(11) }, limits)).toThrow(
      'at most 10 characters',
    );
  });
});
