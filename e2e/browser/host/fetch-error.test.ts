// The host's backendSrv errors, against Grafana's processRequestError (backend_srv.ts): the cases
// its branches name, with the values they produce written out by hand.
import { parseBody, processRequestError } from './fetch-error';

const config = { url: 'api/x' };

test('a text body becomes message and response, with the status text as error', () => {
  expect(
    processRequestError({
      status: 502,
      statusText: 'Bad Gateway',
      data: parseBody('<html>x</html>'),
      config,
    }),
  ).toEqual({
    status: 502,
    statusText: 'Bad Gateway',
    data: { message: '<html>x</html>', error: 'Bad Gateway', response: '<html>x</html>' },
    config,
  });
});

test('no body is the empty text, so its message is the status text', () => {
  expect(
    processRequestError({ status: 502, statusText: 'Bad Gateway', data: parseBody(''), config })
      .data,
  ).toEqual({
    message: 'Bad Gateway',
    error: 'Bad Gateway',
    response: '',
  });
});

test('a JSON body keeps its fields; an error string without a message becomes the message', () => {
  expect(
    processRequestError({
      status: 401,
      statusText: 'Unauthorized',
      data: parseBody('{"error":"bad token"}'),
      config,
    }).data,
  ).toEqual({
    error: 'bad token',
    message: 'bad token',
  });
  expect(
    processRequestError({
      status: 403,
      statusText: 'Forbidden',
      data: parseBody('{"message":"plugin proxy route access denied"}'),
      config,
    }).data,
  ).toEqual({
    message: 'plugin proxy route access denied',
  });
});

test('a request that got no answer carries Unexpected error and no status', () => {
  expect(processRequestError({ data: undefined, config })).toEqual({
    data: { message: 'Unexpected error' },
    config,
  });
});
