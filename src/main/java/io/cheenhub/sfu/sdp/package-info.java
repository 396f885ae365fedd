/**
 * The SFU's own SDP codec: the subset of SDP (RFC 8866) that WebRTC uses (JSEP, RFC 8829), and the
 * offer/answer building for the publish and subscribe PeerConnections.
 *
 * <ul>
 *   <li>{@link io.cheenhub.sfu.sdp.SdpParser} reads text into a {@link
 *       io.cheenhub.sfu.sdp.SessionDescription} record tree; {@link io.cheenhub.sfu.sdp.SdpWriter}
 *       writes it back. Unknown attributes are kept in order, so parse, write and parse again gives
 *       an equal value.
 *   <li>{@link io.cheenhub.sfu.sdp.AnswerBuilder} answers a browser's publish offer; {@link
 *       io.cheenhub.sfu.sdp.SubscribeOfferBuilder} makes the server's subscribe offer.
 *   <li>Every refusal is an {@link io.cheenhub.sfu.sdp.SdpException} whose {@link
 *       io.cheenhub.sfu.sdp.SdpErrorCode} signaling sends to the client.
 * </ul>
 */
package io.cheenhub.sfu.sdp;
