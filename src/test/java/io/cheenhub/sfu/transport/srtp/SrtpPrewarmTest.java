package io.cheenhub.sfu.transport.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The start-up hook picks an AES implementation and survives being called twice. */
class SrtpPrewarmTest {

  @Test
  void prewarmChoosesAnAesImplementationOnce() {
    Srtp.prewarm();
    Srtp.prewarm();
    Srtp.AesImplementation aes = Srtp.aesImplementation();
    System.out.println("srtp aes implementation=" + aes.factoryName());
    assertThat(aes).isIn(Srtp.AesImplementation.OPENSSL, Srtp.AesImplementation.SUN_JCE);
  }
}
