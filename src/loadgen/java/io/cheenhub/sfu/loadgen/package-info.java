/**
 * The load generator: bot participants built from the project's own transport code in the client
 * role (ICE controlling, DTLS client, SRTP), driving a server through its signaling, publishing
 * Opus-sized RTP and measuring what comes back. Not part of the WAR; see docs/benchmarks.md.
 */
package io.cheenhub.sfu.loadgen;
