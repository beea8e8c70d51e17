import { z } from 'zod';
import { ruled } from './zod-violations';

/** ORIs compare equal to an actor's organisation only in this form; stream names use it too. */
export function normaliseOri(ori: string): string {
  return ori.trim().toUpperCase();
}

/** An NCIC ORI: 9 letters/digits, upper-cased. */
export const OriSchema = z
  .string()
  .transform(normaliseOri)
  .refine((ori) => /^[A-Z0-9]{9}$/.test(ori), ruled('ori_format', 'must be a 9-character ORI of letters and digits'));
