package io.cheenhub.sfu.api;

import io.cheenhub.sfu.cluster.ClusterService;
import io.cheenhub.sfu.room.Participant;
import io.cheenhub.sfu.room.Room;
import io.cheenhub.sfu.room.RoomRegistry;
import io.cheenhub.sfu.transport.MediaTransport;
import io.cheenhub.sfu.transport.TransportCounters;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Read-only view of the rooms: {@code GET /api/rooms}, {@code GET /api/rooms/{roomId}} and {@code
 * GET /api/rooms/{roomId}/stats}.
 */
@Path("rooms")
@Produces(MediaType.APPLICATION_JSON)
@RequestScoped
public class RoomsResource {

  /** One room in the list. */
  public record RoomSummary(String roomId, int participants, Instant createdAt) {}

  /**
   * One participant of a room; {@code publish} is null until it sent a publish offer, {@code
   * subscribe} until it subscribed. {@code instance} is the instance it is connected to: this one,
   * or in a cascaded room another (then without transports here).
   */
  public record ParticipantView(
      String participantId,
      String displayName,
      Instant joinedAt,
      String instance,
      TransportView publish,
      TransportView subscribe) {}

  /**
   * A media transport's state and counters. {@code payloadTypes} counts decrypted RTP packets per
   * payload type (e.g. {@code {"111": 250}} for Opus from Chromium). Every datagram that reached
   * the transport ({@code datagramsReceived}; ICE's STUN never does) is decrypted RTP or RTCP, a
   * DTLS record ({@code dtlsDatagramsReceived}), used from its clear header only ({@code
   * rtpPacketsUndecrypted}: a large room's publisher in no speaker slot), dropped by a reason in
   * {@code drops}, or, for a moment, still queued.
   */
  public record TransportView(
      String transportId,
      String iceState,
      String dtlsState,
      String srtpProfile,
      long datagramsReceived,
      long dtlsDatagramsReceived,
      long rtpPacketsDecrypted,
      long rtpPacketsUndecrypted,
      long rtcpPacketsDecrypted,
      long bytesReceived,
      Map<String, Long> payloadTypes,
      Map<String, Long> drops) {

    static TransportView of(MediaTransport transport) {
      TransportCounters counters = transport.counters();
      var payloadTypes = new TreeMap<String, Long>();
      for (int pt = 0; pt < 128; pt++) {
        long count = counters.payloadType(pt);
        if (count > 0) {
          payloadTypes.put(String.valueOf(pt), count);
        }
      }
      var drops = new TreeMap<String, Long>();
      for (TransportCounters.Drop reason : TransportCounters.Drop.values()) {
        long count = counters.drops(reason);
        if (count > 0) {
          drops.put(reason.wireValue(), count);
        }
      }
      return new TransportView(
          transport.id(),
          transport.iceState().name().toLowerCase(Locale.ROOT),
          transport.dtlsState().name().toLowerCase(Locale.ROOT),
          transport.srtpProfile(),
          counters.datagramsReceived(),
          counters.dtlsDatagramsReceived(),
          counters.rtpPacketsDecrypted(),
          counters.rtpPacketsUndecrypted(),
          counters.rtcpPacketsDecrypted(),
          counters.bytesReceived(),
          payloadTypes,
          drops);
    }
  }

  /** One room with its participants, oldest first. */
  public record RoomDetail(String roomId, Instant createdAt, List<ParticipantView> participants) {}

  /** The body of every 4xx answer. */
  public record ApiError(String code, String message) {}

  @Inject RoomRegistry rooms;
  @Inject ClusterService cluster;

  /** All rooms with their participant counts, ordered by id. */
  @GET
  public List<RoomSummary> list() {
    return rooms.rooms().stream()
        .map(room -> new RoomSummary(room.id(), room.participants().size(), room.createdAt()))
        .toList();
  }

  /** One room's participants; 400 for an invalid id, 404 for a room nobody is in. */
  @GET
  @Path("{roomId}")
  public Response room(@PathParam("roomId") String roomId) {
    return withRoom(roomId, this::detail);
  }

  /**
   * One room's RTCP statistics and quality levels ({@link RoomStats}); 400 for an invalid id, 404
   * for a room nobody is in.
   */
  @GET
  @Path("{roomId}/stats")
  public Response stats(@PathParam("roomId") String roomId) {
    return withRoom(roomId, RoomStats::of);
  }

  private Response withRoom(String roomId, Function<Room, Object> body) {
    if (!RoomRegistry.isValidRoomId(roomId)) {
      return error(
          Response.Status.BAD_REQUEST,
          "invalid-room-id",
          "room id must be 1 to 100 characters of A-Z, a-z, 0-9 and '-'");
    }
    return rooms
        .room(roomId)
        .map(room -> Response.ok(body.apply(room)).build())
        .orElseGet(() -> error(Response.Status.NOT_FOUND, "room-not-found", "no room " + roomId));
  }

  private RoomDetail detail(Room room) {
    return new RoomDetail(
        room.id(), room.createdAt(), room.participants().stream().map(this::view).toList());
  }

  private ParticipantView view(Participant participant) {
    MediaTransport publish = participant.publishTransport();
    MediaTransport subscribe = participant.subscribeTransport();
    return new ParticipantView(
        participant.id(),
        participant.displayName(),
        participant.joinedAt(),
        participant.isLocal() ? cluster.instance() : participant.origin(),
        publish == null ? null : TransportView.of(publish),
        subscribe == null ? null : TransportView.of(subscribe));
  }

  private static Response error(Response.Status status, String code, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(new ApiError(code, message))
        .build();
  }
}
