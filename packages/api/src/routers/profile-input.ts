import { z } from 'zod';

/** Lengths a player sees are characters (code points): an emoji is one, not two UTF-16 units. */
const characters = (value: string) => [...value].length;

const NICKNAME_MAX = 32;
const AVATAR_URL_MAX = 512;
const CONTROL_CHARACTERS = /\p{Cc}/u;
/** Half of a surrogate pair on its own: not a character, and MySQL's utf8mb4 would store U+FFFD instead. */
const LONE_SURROGATE = /\p{Cs}/u;

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

function isPastCalendarDay(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value && value >= '1900-01-01' && date.getTime() <= Date.now();
}

const nickName = z
  .string({ error: 'nickName must be a string' })
  .trim()
  .refine((value) => characters(value) >= 1, 'nickName must not be empty')
  .refine((value) => characters(value) <= NICKNAME_MAX, `nickName must be at most ${NICKNAME_MAX} characters`)
  .refine((value) => !CONTROL_CHARACTERS.test(value), 'nickName must not contain control characters or line breaks')
  .refine((value) => !LONE_SURROGATE.test(value), 'nickName must be valid Unicode (half of an emoji was sent on its own)');

const avatarUrl = z
  .string({ error: 'avatarUrl must be a string' })
  .max(AVATAR_URL_MAX, `avatarUrl must be at most ${AVATAR_URL_MAX} characters`)
  .refine((value) => value === '' || isHttpsUrl(value), 'avatarUrl must be an https:// URL (or empty to remove it)');

const gender = z
  .number({ error: 'gender must be 0 (unknown), 1 (male) or 2 (female)' })
  .int()
  .min(0)
  .max(2, 'gender must be 0 (unknown), 1 (male) or 2 (female)');

const birthday = z
  .string({ error: 'birthday must be YYYY-MM-DD or null' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'birthday must be YYYY-MM-DD')
  .refine(isPastCalendarDay, 'birthday must be a real day between 1900-01-01 and today')
  .nullable();

/**
 * `account.updateProfile`: every field optional, at least one given;
 * unknown fields are refused (a game cannot set its own level here).
 */
export const updateProfileInput = z
  .strictObject({
    nickName: nickName.optional(),
    avatarUrl: avatarUrl.optional(),
    gender: gender.optional(),
    birthday: birthday.optional(),
  })
  .refine((input) => Object.values(input).some((value) => value !== undefined), 'give at least one of nickName, avatarUrl, gender, birthday');

export type UpdateProfileInput = z.infer<typeof updateProfileInput>;
