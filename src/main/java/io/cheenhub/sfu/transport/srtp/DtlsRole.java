package io.cheenhub.sfu.transport.srtp;

/**
 * Which end of the DTLS handshake produced the keys; RFC 5764 §4.2 picks each direction's key and
 * salt by it.
 */
public enum DtlsRole {
  CLIENT,
  SERVER
}
