package io.cheenhub.sfu.loadgen;

import io.cheenhub.sfu.loadgen.janus.JanusApi;
import io.cheenhub.sfu.loadgen.server.JanusProbe;
import io.cheenhub.sfu.loadgen.server.ProcessStats;
import io.cheenhub.sfu.loadgen.server.ServerProbe;
import io.cheenhub.sfu.loadgen.signal.JanusSignaling;
import io.cheenhub.sfu.loadgen.signal.Signaling;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Janus VideoRoom: audio-only rooms created up front, a session per bot. */
final class JanusTarget implements ServerTarget {

  private final JanusApi api;
  private final JanusProbe probe;
  private final JanusSignaling.Directory directory;
  private final Map<String, Long> roomIds = new HashMap<>();
  private JanusApi.Session control;

  JanusTarget(URI janus, URI admin, String adminSecret, ProcessStats process, int talkers) {
    String base = janus.toString();
    this.api =
        new JanusApi(
            URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base),
            admin,
            adminSecret);
    this.probe = new JanusProbe(api, process);
    this.directory = new JanusSignaling.Directory(talkers);
  }

  @Override
  public void prepare(List<String> rooms, int publishersPerRoom) throws IOException {
    control = api.createSession();
    long next = 100_000 + (System.currentTimeMillis() % 100_000) * 10;
    for (String room : rooms) {
      long id = next++;
      api.createRoom(control, id, Math.max(publishersPerRoom, 3));
      roomIds.put(room, id);
    }
  }

  @Override
  public Signaling signaling(String room) {
    return new JanusSignaling(api, roomIds.get(room), directory);
  }

  @Override
  public ServerProbe probe() {
    return probe;
  }

  @Override
  public long transportsActive() throws IOException {
    return api.adminStats().handles();
  }

  @Override
  public void close() {
    if (control != null) {
      for (long id : roomIds.values()) {
        try {
          api.destroyRoom(control, id);
        } catch (IOException e) {
          // Janus drops rooms when it stops anyway
        }
      }
      control.close();
    }
    api.close();
  }
}
