// Signed JWTs for a server that requires them (sfu.auth.anonymous=false; docs/security.md): a fresh
// ES256 key pair per driver run, the -D properties that make the server trust it, and mint() for the
// tokens the pages send in join.token. node:crypto only; the signature is JOSE's R || S (RFC 7518 §3.4).
import { generateKeyPairSync, sign } from 'node:crypto';

export const ISSUER = 'https://e2e.cheenhub.test';

const b64url = (data) => Buffer.from(data).toString('base64url');

/** A key pair, the server properties that trust it, and a minting function. */
export function createTokenIssuer() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    /** -D properties for startPayaraMicro: tokens required, this key, this issuer. */
    serverProperties: {
      'sfu.auth.anonymous': 'false',
      'mp.jwt.verify.publickey': der,
      'mp.jwt.verify.publickey.algorithm': 'ES256',
      'mp.jwt.verify.issuer': ISSUER,
    },
    /** A token for `sub` in `room` ('*' for any), valid `ttlSeconds` from now. */
    mint({ sub, room, name, permissions = ['join', 'publish', 'subscribe'], ttlSeconds = 3600 }) {
      const now = Math.floor(Date.now() / 1000);
      const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT' }));
      const claims = { iss: ISSUER, sub, iat: now, exp: now + ttlSeconds, room, permissions };
      if (name) claims.name = name;
      const input = `${header}.${b64url(JSON.stringify(claims))}`;
      const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return `${input}.${signature.toString('base64url')}`;
    },
  };
}

// `node e2e/lib/token.mjs <room> <name>`: prints the server properties and one token, for a local try.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [room = '*', name = 'Ada'] = process.argv.slice(2);
  const issuer = createTokenIssuer();
  for (const [k, v] of Object.entries(issuer.serverProperties)) console.log(`-D${k}=${v}`);
  // With tokens required only listed origins may open /ws (docs/security.md): the local page's.
  console.log('-Dsfu.signaling.allowed-origins=http://localhost:8080');
  console.log(issuer.mint({ sub: name.toLowerCase(), room, name }));
}
