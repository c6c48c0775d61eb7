import { z } from 'zod';

/** The bounded building blocks of the event and record schemas: an id, a text, an ISO time. */
export const id = z.number().int().positive();
export const text = z.string().max(4096);
export const isoText = z.string().max(40);
