package io.cheenhub.sfu.loadgen;

import io.cheenhub.sfu.loadgen.server.ServerProbe;
import io.cheenhub.sfu.loadgen.signal.Signaling;
import java.io.IOException;
import java.util.List;

/** The server under test as the run sees it: signaling per bot, a probe, room set-up. */
interface ServerTarget extends AutoCloseable {

  /** Creates the rooms if the server needs that (Janus); cheenhub-sfu makes them on join. */
  void prepare(List<String> rooms, int publishersPerRoom) throws IOException;

  /** A new signaling connection for one bot. */
  Signaling signaling(String room) throws IOException;

  ServerProbe probe();

  /** PeerConnection transports the server holds now, or -1 if it does not say. */
  long transportsActive() throws IOException;

  @Override
  void close();
}
