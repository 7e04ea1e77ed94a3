import { classifyType } from './classify';
import type { ExceptionValue } from './grouping';

// Model providers' SDK errors as the Sentry SDKs send them. openai-python and
// anthropic-sdk-python set each exported class's __module__ to the package (`openai.RateLimitError`,
// not `openai._exceptions.…`), which sentry-python sends as the exception's module; @sentry/node
// names a node_modules frame's module after its package directory (`openai:error`,
// `@anthropic-ai.sdk:core`). The calls are to an external API: its refusals (429, 401, 529) file
// under external_api, as a 401 from `requests` does.
const library = (module: string, filename: string) => ({
  stacktrace: { frames: [{ module, filename, function: 'makeStatusError', in_app: false }] },
});

const ERRORS: [string, ExceptionValue][] = [
  [
    'openai-python rate limit',
    {
      type: 'RateLimitError',
      module: 'openai',
      value:
        "Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM)', 'type': 'tokens', 'param': None, 'code': 'rate_limit_exceeded'}}",
    },
  ],
  [
    'openai-python bad key',
    {
      type: 'AuthenticationError',
      module: 'openai',
      value:
        "Error code: 401 - {'error': {'message': 'Incorrect API key provided: sk-proj-****', 'type': 'invalid_request_error', 'code': 'invalid_api_key'}}",
    },
  ],
  [
    'anthropic-sdk-python overloaded',
    {
      type: 'InternalServerError',
      module: 'anthropic',
      value:
        "Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'Overloaded'}}",
    },
  ],
  [
    'openai-node',
    {
      type: 'RateLimitError',
      value: '429 Rate limit reached for gpt-4o',
      ...library('openai:error', '/app/node_modules/openai/error.js'),
    },
  ],
  [
    'anthropic-sdk-typescript',
    {
      type: 'APIError',
      value: '529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
      ...library('@anthropic-ai.sdk:core', '/app/node_modules/@anthropic-ai/sdk/core.js'),
    },
  ],
  [
    'go-openai',
    {
      type: '*openai.APIError',
      value: 'error, status code: 429, status: 429 Too Many Requests, message: Rate limit reached',
    },
  ],
  [
    'openai-java',
    { type: 'RateLimitException', module: 'com.openai.errors', value: '429: Rate limit reached' },
  ],
];

describe('classification of model providers’ SDK errors', () => {
  it.each(ERRORS)('files %s under external_api', (_sdk, exception) => {
    expect(classifyType([exception], '')).toBe('external_api');
  });

  it('reads the package name only where a package’s is', () => {
    const own = (module: string) =>
      classifyType([{ type: 'RateLimited', value: 'too many', module }], '');
    expect(own('app.openai_client')).toBe('application');
    expect(own('openai_helpers')).toBe('application');
    expect(own('myapp.anthropic')).toBe('application');
  });
});
