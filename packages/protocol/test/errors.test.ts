import { describe, expect, it } from 'vitest';
import { ERROR_CODES, formatErrorBody, parseErrorBody } from '../src/index';
import { errorBodySchema } from '../src/schemas/index';

describe('parseErrorBody', () => {
  it('reads the nested OpenAI shape', () => {
    const info = parseErrorBody({
      error: {
        message: 'bad temperature',
        type: 'invalid_request_error',
        param: 'temperature',
        code: 'invalid_value',
      },
    });
    expect(info).toMatchObject({
      message: 'bad temperature',
      type: 'invalid_request_error',
      param: 'temperature',
      code: 'invalid_value',
      shape: 'nested',
    });
  });

  it("reads Spice's flat shape", () => {
    const info = parseErrorBody({
      message: 'Invalid API key provided',
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
    });
    expect(info).toMatchObject({ code: 'invalid_api_key', param: null, shape: 'flat' });
  });

  it("reads Spice's string shape and recognises an unknown model", () => {
    const info = parseErrorBody(JSON.stringify({ error: "model 'gpt-5' not found" }), 404);
    expect(info).toMatchObject({
      message: "model 'gpt-5' not found",
      code: ERROR_CODES.modelNotFound,
      type: 'not_found_error',
      param: 'model',
      shape: 'string',
    });
  });

  it('keeps a string error that is not about a model without inventing a code', () => {
    expect(parseErrorBody({ error: 'upstream exploded' }, 500)).toMatchObject({
      message: 'upstream exploded',
      code: null,
      type: null,
      shape: 'string',
    });
  });

  it('never throws on text, HTML or nothing', () => {
    expect(parseErrorBody('<html>Bad Gateway</html>', 502)).toMatchObject({
      message: '<html>Bad Gateway</html>',
      shape: 'unknown',
    });
    expect(parseErrorBody('', 503)).toMatchObject({ message: 'HTTP 503', shape: 'unknown' });
    expect(parseErrorBody(null)).toMatchObject({ message: 'unknown error', shape: 'unknown', raw: null });
    expect(parseErrorBody([1, 2])).toMatchObject({ shape: 'unknown' });
  });

  it("reads FastAPI's `detail`: a string, or the first message of a validation list", () => {
    expect(parseErrorBody({ detail: 'Not Found' }, 404)).toMatchObject({
      message: 'Not Found',
      code: null,
      type: null,
      shape: 'unknown',
    });
    const invalid = {
      detail: [{ loc: ['body', 'model'], msg: 'field required', type: 'value_error.missing' }],
    };
    expect(parseErrorBody(JSON.stringify(invalid), 422)).toMatchObject({
      message: 'field required',
      raw: JSON.stringify(invalid),
    });
    // Anything else under `detail` is not a message: the status stands in.
    expect(parseErrorBody({ detail: [] }, 422).message).toBe('HTTP 422');
    expect(parseErrorBody({ detail: [null] }, 422).message).toBe('HTTP 422');
    expect(parseErrorBody({ detail: { nested: true } }, 400).message).toBe('HTTP 400');
  });

  it('keeps numeric codes as strings', () => {
    expect(parseErrorBody({ error: { message: 'x', code: 42 } }).code).toBe('42');
  });

  it('round-trips every shape formatErrorBody writes', () => {
    const error = {
      message: 'nope',
      type: 'invalid_request_error',
      param: 'tool_choice',
      code: 'invalid_tool_choice',
    };
    for (const shape of ['nested', 'flat'] as const) {
      const body = formatErrorBody(error, shape);
      expect(errorBodySchema.safeParse(body).success).toBe(true);
      expect(parseErrorBody(body)).toMatchObject({ ...error, shape });
    }
    const stringBody = formatErrorBody(error, 'string');
    expect(stringBody).toEqual({ error: 'nope' });
    expect(parseErrorBody(stringBody).shape).toBe('string');
  });
});
