// Client certificates verified as Go's x509.Verify verifies them for kube-apiserver's x509 and
// requestheader authenticators (k8s.io/apiserver pkg/authentication/request/x509: Roots = the
// CA bundle, Intermediates = what the client sent, KeyUsages = [ExtKeyUsageClientAuth]), over
// real TLS. Expected users come from Go's rules (crypto/x509 verify.go: checkChainForKeyUsage,
// isValid), not from OpenSSL's verdict on the handshake, which differs for several of them.
import { X509Certificate } from 'node:crypto';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serverTlsOptions } from '../tls';
import { httpsGet } from '../testing/https';
import { createPki, type Pair, type Pki } from '../testing/pki';
import { certificateAuthenticator } from './x509';
import { extensionsOf } from './x509-verify';

let pki: Pki;
let root: Pair;
let ica: Pair;
let serving: Pair;
const servers: Server[] = [];

const CLIENT = 'extendedKeyUsage=clientAuth\n';
const CA = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n';

beforeAll(() => {
  pki = createPki();
  root = pki.ca('root');
  ica = pki.intermediate(root, 'ica');
  serving = pki.server(root, 'serving');
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  pki.remove();
});

/**
 * A server authenticating by `bundle` as client CA (or front-proxy CA); answers the user's name,
 * `refused` for a certificate the authenticator refuses (x509.Verify's error: a 401, never anonymous).
 */
async function serve(bundle: readonly Pair[], frontProxy = false): Promise<string> {
  const cas = bundle.map((p) => new X509Certificate(p.cert));
  const authenticate = certificateAuthenticator(
    frontProxy
      ? {
          requestHeader: {
            cas,
            allowedNames: [],
            usernameHeaders: ['X-Remote-User'],
            groupHeaders: ['X-Remote-Group'],
            extraHeaderPrefixes: ['X-Remote-Extra-'],
          },
        }
      : { clientCAs: cas },
  );
  const server = createServer(
    serverTlsOptions(
      serving,
      bundle.map((p) => p.cert),
    ),
    (req, res) =>
      void authenticate(req).then(
        (user) => res.end(user?.name ?? 'nobody'),
        () => res.end('refused'),
      ),
  );
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function userOf(
  url: string,
  leaf: Pair,
  sent: readonly Pair[] = [],
  headers: Record<string, string> = {},
) {
  const res = await httpsGet(url, {
    ca: root.cert,
    cert: leaf.cert + sent.map((p) => p.cert).join(''),
    key: leaf.key,
    headers,
  });
  return res.text;
}

describe('extended key usage, as Go checks it for [clientAuth]', () => {
  it('takes a leaf with anyExtendedKeyUsage, or none, and refuses one for serverAuth only', async () => {
    const url = await serve([root]);
    const any = pki.custom(root, 'any', '/CN=any', 'extendedKeyUsage=anyExtendedKeyUsage\n');
    const none = pki.custom(root, 'none', '/CN=none', 'basicConstraints=CA:FALSE\n');
    const server = pki.custom(root, 'srv', '/CN=srv', 'extendedKeyUsage=serverAuth\n');
    expect(await userOf(url, any)).toBe('any');
    expect(await userOf(url, none)).toBe('none');
    expect(await userOf(url, server)).toBe('refused');
  });

  it('refuses a chain through an intermediate whose extended key usage leaves out clientAuth', async () => {
    const url = await serve([root]);
    const srvCa = pki.custom(root, 'srv-ca', '/CN=srv-ca', `${CA}extendedKeyUsage=serverAuth\n`);
    const leaf = pki.custom(srvCa, 'under-srv-ca', '/CN=under-srv-ca', CLIENT);
    expect(await userOf(url, leaf, [srvCa])).toBe('refused');
  });

  it("ignores KeyUsage and Netscape's certificate type, as Go does", async () => {
    const url = await serve([root]);
    const enc = pki.custom(root, 'enc', '/CN=enc', `keyUsage=critical,keyEncipherment\n${CLIENT}`);
    const ns = pki.custom(root, 'ns', '/CN=ns', `nsCertType=server\n${CLIENT}`);
    expect(await userOf(url, enc)).toBe('enc');
    expect(await userOf(url, ns)).toBe('ns');
  });

  it('applies to the front-proxy certificate too', async () => {
    const url = await serve([root], true);
    const any = pki.custom(root, 'proxy-any', '/CN=p', 'extendedKeyUsage=anyExtendedKeyUsage\n');
    const server = pki.custom(root, 'proxy-srv', '/CN=p', 'extendedKeyUsage=serverAuth\n');
    expect(await userOf(url, any, [], { 'X-Remote-User': 'hpa' })).toBe('hpa');
    expect(await userOf(url, server, [], { 'X-Remote-User': 'hpa' })).toBe('refused');
  });
});

describe('the chain', () => {
  it('takes a bundle whose CA is an intermediate, as Go trusts every certificate in Roots', async () => {
    const url = await serve([ica]);
    const leaf = pki.client(ica, 'under-ica', '/CN=under-ica');
    expect(await userOf(url, leaf)).toBe('under-ica');
    expect(await userOf(url, leaf, [ica])).toBe('under-ica');
    // Not one the root signs directly.
    expect(await userOf(url, pki.client(root, 'under-root', '/CN=under-root'))).toBe('refused');
  });

  it('takes the intermediates the client sends, and only with them', async () => {
    const url = await serve([root]);
    const leaf = pki.client(ica, 'ivan', '/CN=ivan');
    expect(await userOf(url, leaf, [ica])).toBe('ivan');
    expect(await userOf(url, leaf)).toBe('refused');
  });

  it('takes only a CA as an intermediate', async () => {
    const url = await serve([root]);
    const notCa = pki.custom(root, 'not-ca', '/CN=not-ca', `basicConstraints=CA:FALSE\n${CLIENT}`);
    const leaf = pki.custom(notCa, 'under-not-ca', '/CN=under-not-ca', CLIENT);
    expect(await userOf(url, notCa)).toBe('not-ca');
    expect(await userOf(url, leaf, [notCa])).toBe('refused');
  });

  it("keeps an intermediate's path length constraint", async () => {
    const url = await serve([root]);
    const zero = pki.custom(
      root,
      'zero',
      '/CN=zero',
      'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\n',
    );
    const below = pki.intermediate(zero, 'below-zero');
    const direct = pki.client(zero, 'direct', '/CN=direct');
    const deep = pki.client(below, 'deep', '/CN=deep');
    expect(await userOf(url, direct, [zero])).toBe('direct');
    expect(await userOf(url, deep, [below, zero])).toBe('refused');
  });

  it('refuses a leaf with a critical extension Go does not handle', async () => {
    const url = await serve([root]);
    const odd = pki.custom(root, 'odd', '/CN=odd', `${CLIENT}1.2.3.4=critical,ASN1:NULL\n`);
    const mild = pki.custom(root, 'mild', '/CN=mild', `${CLIENT}1.2.3.4=ASN1:NULL\n`);
    expect(await userOf(url, odd)).toBe('refused');
    expect(await userOf(url, mild)).toBe('mild');
  });

  it('refuses an intermediate or a CA of the bundle with a critical extension Go does not handle', async () => {
    const odd = pki.custom(root, 'odd-ca', '/CN=odd-ca', `${CA}1.2.3.4=critical,ASN1:NULL\n`);
    const leaf = pki.client(odd, 'under-odd-ca', '/CN=under-odd-ca');
    expect(await userOf(await serve([root]), leaf, [odd])).toBe('refused');
    expect(await userOf(await serve([odd]), leaf)).toBe('refused');
    // A critical alternative name Go reads nothing from is one it does not handle, too.
    const other = pki.custom(
      root,
      'other-san',
      '/CN=other-san',
      `${CLIENT}subjectAltName=critical,otherName:1.2.3.4;UTF8:x\n`,
    );
    const dns = pki.custom(
      root,
      'dns-san',
      '/CN=dns-san',
      `${CLIENT}subjectAltName=critical,DNS:a.example\n`,
    );
    const url = await serve([root]);
    expect(await userOf(url, other)).toBe('refused');
    expect(await userOf(url, dns)).toBe('dns-san');
  });

  it("trusts a bundle's certificate to sign only as Go's CheckSignatureFrom does: a CA, with keyCertSign if it has a key usage", async () => {
    const signer = (name: string, ext: string) => {
      const ca = pki.custom(root, name, `/CN=${name}`, ext);
      return { ca, leaf: pki.client(ca, `under-${name}`, `/CN=under-${name}`) };
    };
    const noSign = signer(
      'no-cert-sign',
      'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\n',
    );
    const notCa = signer('v3-not-ca', 'subjectKeyIdentifier=hash\n');
    const noUsage = signer('ca-no-usage', 'basicConstraints=critical,CA:TRUE\n');
    expect(await userOf(await serve([noSign.ca]), noSign.leaf)).toBe('refused');
    expect(await userOf(await serve([notCa.ca]), notCa.leaf)).toBe('refused');
    expect(await userOf(await serve([noUsage.ca]), noUsage.leaf)).toBe('under-ca-no-usage');
  });

  it('processes certificate policies as Go does: a required explicit policy must hold down to the leaf', async () => {
    const url = await serve([root]);
    const requiring = pki.custom(
      root,
      'requiring',
      '/CN=requiring',
      `${CA}certificatePolicies=1.2.3.4\npolicyConstraints=critical,requireExplicitPolicy:0\n`,
    );
    const without = pki.custom(requiring, 'no-policy', '/CN=no-policy', CLIENT);
    const within = pki.custom(
      requiring,
      'in-policy',
      '/CN=in-policy',
      `${CLIENT}certificatePolicies=1.2.3.4\n`,
    );
    const other = pki.custom(
      requiring,
      'other-policy',
      '/CN=other-policy',
      `${CLIENT}certificatePolicies=1.2.3.5\n`,
    );
    expect(await userOf(url, without, [requiring])).toBe('refused');
    expect(await userOf(url, within, [requiring])).toBe('in-policy');
    expect(await userOf(url, other, [requiring])).toBe('refused');
  });

  it('checks the alternative names below a CA against its name constraints, as Go does', async () => {
    const url = await serve([root]);
    const constrained = pki.custom(
      root,
      'constrained',
      '/CN=constrained',
      `${CA}nameConstraints=critical,permitted;DNS:.example.com,excluded;DNS:bad.example.com,permitted;IP:10.0.0.0/255.0.0.0\n`,
    );
    const leaf = (name: string, san: string) =>
      pki.custom(constrained, name, `/CN=${name}`, `${CLIENT}subjectAltName=${san}\n`);
    const inside = leaf('inside', 'DNS:a.Example.COM,IP:10.1.2.3');
    const apex = leaf('apex', 'DNS:example.com'); // a leading dot permits only names below it
    const excluded = leaf('excluded', 'DNS:bad.example.com');
    const wildcard = leaf('wildcard', 'DNS:*.example.com'); // could stand for bad.example.com
    const outsideIp = leaf('outside-ip', 'DNS:a.example.com,IP:192.168.0.1');
    const email = leaf('email', 'email:u@example.com'); // not checked here, so refused
    expect(await userOf(url, inside, [constrained])).toBe('inside');
    expect(await userOf(url, apex, [constrained])).toBe('refused');
    expect(await userOf(url, excluded, [constrained])).toBe('refused');
    expect(await userOf(url, wildcard, [constrained])).toBe('refused');
    expect(await userOf(url, outsideIp, [constrained])).toBe('refused');
    expect(await userOf(url, email, [constrained])).toBe('refused');
  });

  it('refuses a certificate another CA signed, and takes one of each CA of a bundle', async () => {
    const other = pki.ca('other');
    const url = await serve([other, root]);
    expect(await userOf(url, pki.client(root, 'r', '/CN=r'))).toBe('r');
    expect(await userOf(url, pki.client(other, 'o', '/CN=o'))).toBe('o');
    const stranger = pki.ca('stranger');
    expect(await userOf(url, pki.client(stranger, 's', '/CN=s'))).toBe('refused');
  });
});

describe('signature algorithms', () => {
  /** As userOf, from a client that sends certificates Node would not load at its security level (a Go client sends them). */
  const weakUserOf = (url: string, leaf: Pair, sent: readonly Pair[] = []) =>
    new Promise<string>((resolve, reject) => {
      const req = request(
        url,
        {
          ca: root.cert,
          cert: leaf.cert + sent.map((p) => p.cert).join(''),
          key: leaf.key,
          ciphers: 'DEFAULT:@SECLEVEL=0',
          agent: false,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });

  it('refuses a certificate or intermediate signed with SHA-1, as Go refuses it (InsecureAlgorithmError)', async () => {
    const url = await serve([root]);
    const sha1 = pki.custom(root, 'sha1', '/CN=sha1', CLIENT, 'sha1');
    const sha384 = pki.custom(root, 'sha384', '/CN=sha384', CLIENT, 'sha384');
    expect(await weakUserOf(url, sha1)).toBe('refused');
    expect(await weakUserOf(url, sha384)).toBe('sha384');
    const sha1Ca = pki.custom(root, 'sha1-ca', '/CN=sha1-ca', CA, 'sha1');
    const below = pki.custom(sha1Ca, 'below-sha1-ca', '/CN=below-sha1-ca', CLIENT);
    expect(await weakUserOf(url, below, [sha1Ca])).toBe('refused');
  });

  it('refuses a certificate signed with SHA-224, which Go does not know', async () => {
    const url = await serve([root]);
    const sha224 = pki.custom(root, 'sha224', '/CN=sha224', CLIENT, 'sha224');
    expect(await weakUserOf(url, sha224)).toBe('refused');
  });

  it('refuses an RSA key under 1024 bits, as Go (rsa1024min) does, and takes one of 2048', async () => {
    const url = await serve([root]);
    const rsa = (bits: number) => ['-newkey', `rsa:${bits}`, '-nodes'];
    const weak = pki.custom(root, 'rsa512', '/CN=rsa512', CLIENT, 'sha256', rsa(512));
    const strong = pki.custom(root, 'rsa2048', '/CN=rsa2048', CLIENT, 'sha256', rsa(2048));
    // Node's TLS layer (OpenSSL at its default security level) keeps no peer certificate with a
    // 512-bit key: the request reads as one sent without a certificate (Go's would be refused).
    expect(await weakUserOf(url, weak)).toBe('nobody');
    expect(await weakUserOf(url, strong)).toBe('rsa2048');
    const weakCa = pki.custom(root, 'rsa512-ca', '/CN=rsa512-ca', CA, 'sha256', rsa(512));
    const below = pki.custom(weakCa, 'below-rsa512-ca', '/CN=below-rsa512-ca', CLIENT);
    expect(await weakUserOf(url, below, [weakCa])).toBe('refused');
  });
});

describe('a leaf in the bundle itself', () => {
  it('is its own chain, and the only one, as in Go: its extended key usage alone decides', async () => {
    const server = pki.custom(
      root,
      'pinned-srv',
      '/CN=pinned-srv',
      'extendedKeyUsage=serverAuth\n',
    );
    const client = pki.custom(root, 'pinned', '/CN=pinned', CLIENT);
    // Both are also signed by root, which is in the bundle; Go does not look past the leaf.
    const url = await serve([server, client, root]);
    expect(await userOf(url, client)).toBe('pinned');
    expect(await userOf(url, server)).toBe('refused');
    // Pinned alone, without its CA.
    expect(await userOf(await serve([client]), client)).toBe('pinned');
  });
});

describe('extensionsOf', () => {
  it('reads OIDs, criticality and values from the DER, as openssl wrote them', () => {
    const cert = pki.custom(
      root,
      'exts',
      '/CN=exts',
      'basicConstraints=critical,CA:TRUE,pathlen:3\n1.2.3.4=ASN1:NULL\n',
    );
    const exts = extensionsOf(new X509Certificate(cert.cert));
    // 2.5.29.19 is 55 1d 13; its value SEQUENCE { BOOLEAN TRUE, INTEGER 3 }.
    expect(exts.find((e) => e.oid === '551d13')).toEqual({
      oid: '551d13',
      critical: true,
      value: Buffer.from('30060101ff020103', 'hex'),
    });
    // 1.2.3.4 is 2a 03 04; not critical; its value NULL.
    expect(exts.find((e) => e.oid === '2a0304')).toEqual({
      oid: '2a0304',
      critical: false,
      value: Buffer.from('0500', 'hex'),
    });
  });
});
