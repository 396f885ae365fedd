package io.cheenhub.sfu.transport.dtls;

import java.security.SecureRandom;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The one BouncyCastle TLS crypto instance every certificate and handshake shares. It only uses
 * BC's lightweight API, so no JCA provider is registered (which would leak across redeploys).
 */
final class Crypto {

  static final BcTlsCrypto BC = new BcTlsCrypto(new SecureRandom());

  private Crypto() {}
}
