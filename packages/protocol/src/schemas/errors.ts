import { z } from 'zod';

const errorFields = {
  message: z.string(),
  type: z.string().nullish(),
  param: z.string().nullish(),
  code: z.union([z.string(), z.number()]).nullish(),
};

/** `{ "error": { message, type, param, code } }`: OpenAI, ICE, Ingram Cloud, Threadline. */
export const nestedErrorBodySchema = z.looseObject({ error: z.looseObject(errorFields) });
/** `{ message, type, param, code }`: Spice's API errors. */
export const flatErrorBodySchema = z.looseObject(errorFields);
/** `{ "error": "model 'x' not found" }`: Spice's unknown-model 404. */
export const stringErrorBodySchema = z.looseObject({ error: z.string() });

export const errorBodySchema = z.union([nestedErrorBodySchema, stringErrorBodySchema, flatErrorBodySchema]);
