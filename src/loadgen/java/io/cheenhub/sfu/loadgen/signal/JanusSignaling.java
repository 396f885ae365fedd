package io.cheenhub.sfu.loadgen.signal;

import io.cheenhub.sfu.loadgen.janus.JanusApi;
import io.cheenhub.sfu.loadgen.peer.PeerSdp;
import io.cheenhub.sfu.sdp.SdpParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Janus VideoRoom driven like a cheenhub-sfu room (../shared/research/janus-peer.md): a session per
 * bot, a publisher handle ({@code join} as publisher, {@code configure} with the bot's offer) and a
 * subscriber handle that joins every other publisher's feed in one multistream PeerConnection,
 * answering Janus's offer. Janus lets a subscriber join a feed only after that publisher's {@code
 * webrtcup}, and does not renegotiate here, so subscribers wait until the room's talkers are all up
 * ({@link Directory}); the benchmark's Janus scenario has a fixed set of talkers.
 */
public final class JanusSignaling implements Signaling {

  /** Feeds that are up, per room; shared by every bot of a run. */
  public static final class Directory {
    private final Map<Long, List<Long>> feeds = new ConcurrentHashMap<>();
    private final int talkersPerRoom;

    public Directory(int talkersPerRoom) {
      this.talkersPerRoom = talkersPerRoom;
    }

    void up(long room, long feed) {
      feeds.computeIfAbsent(room, r -> new CopyOnWriteArrayList<>()).add(feed);
      synchronized (this) {
        notifyAll();
      }
    }

    /** Waits until every talker of {@code room} but {@code self} is up; returns their feeds. */
    synchronized List<Long> awaitOthers(long room, long self, long timeoutMillis)
        throws IOException, InterruptedException {
      long deadline = System.currentTimeMillis() + timeoutMillis;
      while (true) {
        var others = new ArrayList<Long>(feeds.getOrDefault(room, List.of()));
        others.remove(self);
        int expected = self >= 0 ? talkersPerRoom - 1 : talkersPerRoom;
        if (others.size() >= expected) {
          return others;
        }
        long wait = deadline - System.currentTimeMillis();
        if (wait <= 0) {
          throw new IOException(
              "only " + others.size() + " of " + expected + " publishers came up in room " + room);
        }
        wait(wait);
      }
    }
  }

  private final JanusApi api;
  private final long room;
  private final Directory directory;
  private final List<Consumer<String>> failureListeners = new CopyOnWriteArrayList<>();
  private JanusApi.Session session;
  private long feed = -1;
  private volatile boolean closed;

  public JanusSignaling(JanusApi api, long room, Directory directory) {
    this.api = api;
    this.room = room;
    this.directory = directory;
  }

  @Override
  public void join(String roomName, String name) throws IOException {
    session = api.createSession();
  }

  @Override
  public String publish(String offerSdp) throws IOException {
    JanusApi.Handle publisher = session.attachVideoRoom();
    feed = publisher.joinPublisher(room, "bot");
    String answer = publisher.configure(offerSdp);
    long myFeed = feed;
    publisher
        .webrtcUp()
        .whenComplete(
            (ok, error) -> {
              if (error == null) {
                directory.up(room, myFeed);
              } else if (!closed) {
                fail("publisher: " + error);
              }
            });
    return answer;
  }

  @Override
  public void subscribe(OfferHandler handler) throws IOException {
    try {
      List<Long> feeds = directory.awaitOthers(room, feed, TimeUnit.SECONDS.toMillis(60));
      JanusApi.Handle subscriber = session.attachVideoRoom();
      JanusApi.Subscription subscription = subscriber.joinSubscriber(room, feeds);
      subscriber.start(handler.answer(SdpParser.parse(subscription.offerSdp())));
    } catch (IOException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } catch (Exception e) {
      throw new IOException("answering Janus's offer failed: " + e, e);
    }
  }

  @Override
  public boolean wantsCandidates() {
    return true; // the host candidate goes in the SDP (janus-peer.md: half-trickle, full ICE)
  }

  @Override
  public PeerSdp.Setup publishSetup() {
    return PeerSdp.Setup.ACTIVE; // janus-peer.md G9: with actpass Janus would be the DTLS client
  }

  @Override
  public void onFailure(Consumer<String> listener) {
    failureListeners.add(listener);
  }

  private void fail(String reason) {
    failureListeners.forEach(listener -> listener.accept(reason));
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (session != null) {
      session.close();
    }
  }
}
