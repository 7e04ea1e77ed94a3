// The client-certificate authenticator on a kept-alive connection: its verdict is cached per
// connection, but the chain's validity window is checked against the clock on every request. A
// certificate that does not verify is refused (x509.Authenticator's error: a 401, whatever else
// the request carries, never anonymous); none, or a verified one without a CN, is no credential.
import { X509Certificate } from 'node:crypto';
import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serverTlsOptions } from '../tls';
import { httpsGet } from '../testing/https';
import { createPki, type Pair, type Pki } from '../testing/pki';
import { certificateAuthenticator, subjectValues } from './x509';

let pki: Pki;
let ca: Pair;
let serving: Pair;
let jane: Pair;
let multi: Pair;
let nameless: Pair;
let server: Server;
let url: string;
let clock = Date.now();

beforeAll(async () => {
  pki = createPki();
  ca = pki.ca('client-ca');
  serving = pki.server(ca, 'serving');
  jane = pki.client(ca, 'jane', '/CN=jane/O=dev');
  multi = pki.client(ca, 'multi', '/CN=first/O=a\\, b+CN=jane');
  nameless = pki.client(ca, 'nameless', '/O=dev');
  const authenticate = certificateAuthenticator(
    { clientCAs: [new X509Certificate(ca.cert)] },
    () => clock,
  );
  server = createServer(serverTlsOptions(serving, [ca.cert]), (req, res) => {
    void authenticate(req).then(
      (user) => res.end(user?.name ?? 'nobody'),
      () => res.end('refused'),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  pki.remove();
});

it('refuses a certificate once it expires, on the connection that was opened with it', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get = () => httpsGet(url, { ca: ca.cert, cert: jane.cert, key: jane.key, agent });
  const notAfter = Date.parse(new X509Certificate(jane.cert).validTo);
  clock = notAfter - 1000;
  expect(await get()).toMatchObject({ text: 'jane', reusedSocket: false });
  clock = notAfter + 1000;
  expect(await get()).toMatchObject({ text: 'refused', reusedSocket: true });
  agent.destroy();
});

it('refuses a certificate before it is valid, and takes it once it is', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get = () => httpsGet(url, { ca: ca.cert, cert: jane.cert, key: jane.key, agent });
  const notBefore = Date.parse(new X509Certificate(jane.cert).validFrom);
  clock = notBefore - 1000;
  expect(await get()).toMatchObject({ text: 'refused', reusedSocket: false });
  clock = notBefore + 1000;
  expect(await get()).toMatchObject({ text: 'jane', reusedSocket: true });
  agent.destroy();
});

// Found by the property tests: Node prints a subject escaped, a multi-valued RDN on one line.
it('reads subject values as the certificate holds them, escaped commas and multi-valued RDNs too', () => {
  const subject = new X509Certificate(multi.cert).subject;
  expect(subjectValues(subject, 'O')).toEqual(['a, b']);
  expect(subjectValues(subject, 'CN')).toEqual(['first', 'jane']);
});

it("names the user by the subject's last CN, as Go's pkix.Name.CommonName does", async () => {
  clock = Date.now();
  const agent = new Agent({ keepAlive: false });
  const got = await httpsGet(url, { ca: ca.cert, cert: multi.cert, key: multi.key, agent });
  expect(got).toMatchObject({ text: 'jane' });
  agent.destroy();
});

it('names no one, refusing nothing, without a certificate or for a verified one without a CN', async () => {
  clock = Date.now();
  const agent = new Agent({ keepAlive: false });
  expect(await httpsGet(url, { ca: ca.cert, agent })).toMatchObject({ text: 'nobody' });
  const got = await httpsGet(url, { ca: ca.cert, cert: nameless.cert, key: nameless.key, agent });
  expect(got).toMatchObject({ text: 'nobody' });
  // One another CA signed is refused.
  const other = pki.client(pki.ca('other-ca'), 'other', '/CN=jane');
  expect(
    await httpsGet(url, { ca: ca.cert, cert: other.cert, key: other.key, agent }),
  ).toMatchObject({ text: 'refused' });
  agent.destroy();
});
