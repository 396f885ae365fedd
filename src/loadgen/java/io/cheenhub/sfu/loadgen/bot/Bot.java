package io.cheenhub.sfu.loadgen.bot;

import io.cheenhub.sfu.loadgen.peer.MediaLoop;
import io.cheenhub.sfu.loadgen.peer.Peer;
import io.cheenhub.sfu.loadgen.peer.PeerSdp;
import io.cheenhub.sfu.loadgen.peer.Remote;
import io.cheenhub.sfu.loadgen.signal.Signaling;
import io.cheenhub.sfu.loadgen.stats.Histogram;
import io.cheenhub.sfu.loadgen.stats.StreamStats;
import io.cheenhub.sfu.sdp.Attribute;
import io.cheenhub.sfu.sdp.SdpParser;
import io.cheenhub.sfu.sdp.SessionDescription;
import io.cheenhub.sfu.transport.dtls.DtlsCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One simulated participant: signaling, a publish PeerConnection when it talks, a subscribe
 * PeerConnection for everyone else, and what it heard of each other bot ({@link StreamStats} by
 * sender index). Media work runs on its {@link MediaLoop}; connecting blocks the caller.
 */
public final class Bot {

  /** Where a bot is in its life. */
  public enum State {
    NEW,
    CONNECTING,
    CONNECTED,
    FAILED,
    LEFT
  }

  /** Per-loop measurements every bot on that loop records into (loop thread only). */
  public static final class LoopStats {
    /** Bot → bot delay over the measured window. */
    public final Histogram delay = new Histogram();

    /** The same since the last report interval's edge (a soak run's per-interval percentiles). */
    public final Histogram sliceDelay = new Histogram();

    public long echoes;
    public long unstamped;
  }

  private final int index;
  private final String room;
  private final String name;
  private final boolean talker;
  private final Signaling signaling;
  private final MediaLoop loop;
  private final LoopStats loopStats;
  private final InetAddress bindAddress;
  private final DtlsCertificate certificate;
  private final Executor handshakes;
  private final StreamStats[] heard;
  private final CompletableFuture<Void> publishConnected = new CompletableFuture<>();
  private final CompletableFuture<Void> subscribeConnected = new CompletableFuture<>();
  private volatile State state = State.NEW;
  private volatile String failure;
  private volatile long connectMillis = -1;
  private Peer publish;
  private Peer subscribe;
  private VoiceSource voice;

  /**
   * A bot with global {@code index} (its stamp sender id; {@code maxBots} bounds every index it may
   * hear).
   */
  public Bot(
      int index,
      int maxBots,
      String room,
      String name,
      boolean talker,
      Signaling signaling,
      MediaLoop loop,
      LoopStats loopStats,
      InetAddress bindAddress,
      DtlsCertificate certificate,
      Executor handshakes) {
    this.index = index;
    this.room = room;
    this.name = name;
    this.talker = talker;
    this.signaling = signaling;
    this.loop = loop;
    this.loopStats = loopStats;
    this.bindAddress = bindAddress;
    this.certificate = certificate;
    this.handshakes = handshakes;
    this.heard = new StreamStats[maxBots];
    signaling.onFailure(this::fail);
  }

  public int index() {
    return index;
  }

  public String room() {
    return room;
  }

  public boolean talker() {
    return talker;
  }

  public State state() {
    return state;
  }

  public String failure() {
    return failure;
  }

  /** Join → connected media, in ms; -1 until connected. */
  public long connectMillis() {
    return connectMillis;
  }

  /**
   * Joins, publishes (talkers), subscribes, and waits until every PeerConnection has ICE, DTLS and
   * SRTP up; then talkers start talking. Failures end in {@link State#FAILED}, not an exception.
   */
  public void connect() {
    state = State.CONNECTING;
    long start = System.nanoTime();
    try {
      signaling.join(room, name);
      if (talker) {
        publish = new Peer(name + "/pub", bindAddress, certificate, handshakes, peerListener());
        String answer =
            signaling.publish(
                PeerSdp.publishOffer(
                    publish,
                    ssrc(),
                    "bot" + index,
                    signaling.publishSetup(),
                    signaling.wantsCandidates()));
        publish.start(loop, Remote.of(SdpParser.parse(answer)), Peer.Role.CONTROLLING);
      } else {
        publishConnected.complete(null);
      }
      subscribe = new Peer(name + "/sub", bindAddress, certificate, handshakes, peerListener());
      signaling.subscribe(this::answer);
      CompletableFuture.allOf(publishConnected, subscribeConnected).get(45, TimeUnit.SECONDS);
      connectMillis = (System.nanoTime() - start) / 1_000_000;
      if (state == State.CONNECTING) {
        state = State.CONNECTED;
      }
      if (talker) {
        voice = new VoiceSource(publish, index, ssrc(), 0x5EED_0000L + index);
        VoiceSource source = voice;
        loop.execute(
            () -> {
              source.start(System.nanoTime());
              loop.addTicker(source);
            });
      }
    } catch (Exception e) {
      fail(
          e instanceof java.util.concurrent.ExecutionException
              ? e.getCause().toString()
              : e.toString());
    }
  }

  private int ssrc() {
    return 0x0100_0000 + index;
  }

  private String answer(SessionDescription offer) throws Exception {
    boolean first = subscribe.state() == Peer.State.NEW;
    String answer = PeerSdp.subscribeAnswer(offer, subscribe, signaling.wantsCandidates());
    if (first) {
      // RFC 8445 §6.1.1: facing a lite agent the bot controls; facing a full one, the offerer does.
      Peer.Role role =
          offer.has(Attribute.Flag.ICE_LITE) ? Peer.Role.CONTROLLING : Peer.Role.CONTROLLED;
      subscribe.start(loop, Remote.of(offer), role);
    }
    return answer;
  }

  private Peer.Listener peerListener() {
    return new Peer.Listener() {
      @Override
      public void onConnected(Peer peer) {
        (peer == publish ? publishConnected : subscribeConnected).complete(null);
      }

      @Override
      public void onFailed(Peer peer, String reason) {
        fail(peer.label() + ": " + reason);
      }

      @Override
      public void onRtp(Peer peer, byte[] buf, int length, long arrivedNanos) {
        heard(buf, length, arrivedNanos);
      }
    };
  }

  /** Loop thread: one decrypted packet from the subscribe PeerConnection. */
  private void heard(byte[] buf, int length, long arrivedNanos) {
    int payload = Stamp.payloadOffset(buf, length);
    if (payload < 0 || !Stamp.present(buf, payload, length)) {
      loopStats.unstamped++;
      return;
    }
    int sender = Stamp.sender(buf, payload);
    if (sender == index) {
      loopStats.echoes++;
      return;
    }
    if (sender < 0 || sender >= heard.length) {
      loopStats.unstamped++;
      return;
    }
    StreamStats stream = heard[sender];
    if (stream == null) {
      stream = new StreamStats();
      heard[sender] = stream;
    }
    long sent = Stamp.sentNanos(buf, payload);
    stream.record(Stamp.sequence(buf, payload) & 0xFFFF_FFFFL, sent, arrivedNanos);
    long delayMicros = (arrivedNanos - sent) / 1_000;
    loopStats.delay.record(delayMicros);
    loopStats.sliceDelay.record(delayMicros);
  }

  /** The loop this bot's media runs on (read its stream statistics there). */
  public MediaLoop loop() {
    return loop;
  }

  /** Unique packets received and lost so far over every stream this bot hears. */
  public record Heard(long received, long lost) {

    public Heard plus(Heard other) {
      return new Heard(received + other.received, lost + other.lost);
    }
  }

  /**
   * What this bot has heard so far from everyone; loss counts gaps up to each stream's highest
   * stamp, not packets still in flight. Call on {@link #loop()}.
   */
  public Heard heardSoFar() {
    long received = 0;
    long lost = 0;
    for (StreamStats stream : heard) {
      if (stream != null) {
        received += stream.received();
        lost += stream.lost(-1);
      }
    }
    return new Heard(received, lost);
  }

  /** What this bot heard of {@code sender} (null if nothing); read after its loop is quiet. */
  public StreamStats heardFrom(int sender) {
    return heard[sender];
  }

  /** Stops talking (the last stamp is then {@link #lastSequence()}); runs on the loop. */
  public void stopTalking() {
    VoiceSource source = voice;
    if (source != null) {
      source.stop();
      loop.execute(() -> loop.removeTicker(source));
    }
  }

  /** The last stamp sequence this bot sent, -1 if none. */
  public long lastSequence() {
    VoiceSource source = voice;
    return source == null ? -1 : source.lastSequence();
  }

  public long packetsSent() {
    Peer peer = publish;
    return peer == null ? 0 : peer.packetsSent();
  }

  public long packetsReceived() {
    Peer peer = subscribe;
    return peer == null ? 0 : peer.packetsReceived();
  }

  public long decryptFailures() {
    long failures = 0;
    if (publish != null) {
      failures += publish.decryptFailures();
    }
    if (subscribe != null) {
      failures += subscribe.decryptFailures();
    }
    return failures;
  }

  private void fail(String reason) {
    if (state == State.LEFT || state == State.FAILED) {
      return;
    }
    failure = reason;
    state = State.FAILED;
    publishConnected.completeExceptionally(new IOException(reason));
    subscribeConnected.completeExceptionally(new IOException(reason));
  }

  /** Leaves: signaling first (the server frees its side), then the PeerConnections. */
  public void leave() {
    stopTalking();
    if (state != State.FAILED) {
      state = State.LEFT;
    }
    signaling.close();
    if (publish != null) {
      publish.close();
    }
    if (subscribe != null) {
      subscribe.close();
    }
  }

  @Override
  public String toString() {
    return name + "(" + state + (failure == null ? "" : ": " + failure) + ")";
  }
}
