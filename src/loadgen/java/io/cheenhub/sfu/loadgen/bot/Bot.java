package io.cheenhub.sfu.loadgen.bot;

import io.cheenhub.sfu.loadgen.peer.MediaLoop;
import io.cheenhub.sfu.loadgen.peer.Peer;
import io.cheenhub.sfu.loadgen.peer.PeerSdp;
import io.cheenhub.sfu.loadgen.peer.Remote;
import io.cheenhub.sfu.loadgen.signal.Signaling;
import io.cheenhub.sfu.loadgen.stats.Histogram;
import io.cheenhub.sfu.loadgen.stats.SsrcCounts;
import io.cheenhub.sfu.loadgen.stats.StreamStats;
import io.cheenhub.sfu.sdp.Attribute;
import io.cheenhub.sfu.sdp.SdpParser;
import io.cheenhub.sfu.sdp.SessionDescription;
import io.cheenhub.sfu.transport.dtls.DtlsCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * One simulated participant: signaling, a publish PeerConnection when it talks, a subscribe
 * PeerConnection for everyone else, and what it heard of each other bot ({@link StreamStats} by
 * sender index). Media work runs on its {@link MediaLoop}; connecting blocks the caller.
 */
public final class Bot {

  /**
   * What a bot does beyond joining, talking or listening, and subscribing; {@link #DEFAULT} is the
   * load generator's bot as it always was.
   *
   * @param layers a talker publishes standard simulcast ({@link PeerSdp#AUDIO_LAYERS}: h 64, m 32,
   *     l 16 kbit/s) and sends the layers the server's {@code layersUpdate} asks for
   * @param talkSpurts a talker pauses between talk spurts (false: it talks without pause, so that a
   *     stream's bitrate is its layer's)
   * @param receiverReports how often the subscribe PeerConnection sends RFC 3550 receiver reports;
   *     zero: never (browsers send them about every 5 s; the bots' default stays without, so that
   *     load runs compare with earlier ones)
   * @param subscribeVia where the subscribe PeerConnection sends instead of the server address its
   *     offer names (e.g. an impairment relay in front of the server)
   * @param bitrateBps without layers, the Opus bitrate of a talker's one stream (32 kbit/s: 60–100
   *     byte payloads; 64 kbit/s sends what the h layer sends)
   * @param listenEvery what a listener (not a talker) decrypts: 1 every packet ({@code --listen
   *     full}), N one packet in N per SSRC ({@code sample:N}), 0 none ({@code count}: packets,
   *     bytes and sequence gaps per SSRC from the clear header only)
   * @param listenersPublish listeners publish too: an open microphone in a quiet room, a 20 ms
   *     frame of background noise (V clear, about -70 dBov) every 20 ms, as a browser without DTX
   *     sends (a large room's silent publishers, which the server need not decrypt)
   */
  public record Config(
      boolean layers,
      boolean talkSpurts,
      Duration receiverReports,
      UnaryOperator<InetSocketAddress> subscribeVia,
      long bitrateBps,
      int listenEvery,
      boolean listenersPublish) {

    public static final Config DEFAULT =
        new Config(
            false,
            true,
            Duration.ZERO,
            UnaryOperator.identity(),
            VoiceSource.DEFAULT_BITRATE_BPS,
            1,
            false);

    public Config withLayers(boolean on) {
      return new Config(
          on, talkSpurts, receiverReports, subscribeVia, bitrateBps, listenEvery, listenersPublish);
    }

    public Config withTalkSpurts(boolean on) {
      return new Config(
          layers, on, receiverReports, subscribeVia, bitrateBps, listenEvery, listenersPublish);
    }

    public Config withReceiverReports(Duration interval) {
      return new Config(
          layers, talkSpurts, interval, subscribeVia, bitrateBps, listenEvery, listenersPublish);
    }

    public Config withSubscribeVia(UnaryOperator<InetSocketAddress> route) {
      return new Config(
          layers, talkSpurts, receiverReports, route, bitrateBps, listenEvery, listenersPublish);
    }

    public Config withListenEvery(int every) {
      return new Config(
          layers, talkSpurts, receiverReports, subscribeVia, bitrateBps, every, listenersPublish);
    }

    public Config withListenersPublish(boolean on) {
      return new Config(
          layers, talkSpurts, receiverReports, subscribeVia, bitrateBps, listenEvery, on);
    }

    public Config withBitrate(long bps) {
      return new Config(
          layers, talkSpurts, receiverReports, subscribeVia, bps, listenEvery, listenersPublish);
    }
  }

  /**
   * One {@code layersUpdate} the bot received: when ({@link System#nanoTime()}) and which layers to
   * send (bit i: layer i of {@link PeerSdp#AUDIO_LAYERS}).
   */
  public record LayersRequest(long atNanos, int mask) {}

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
  private final Config config;
  private final StreamStats[] heard;
  private final SsrcCounts ssrcCounts = new SsrcCounts();
  private final int listenEvery;
  private volatile List<Integer> slotHolders = List.of(); // bot index per slot, -1 empty
  private final Set<Integer> droppedSinceMark = ConcurrentHashMap.newKeySet();
  private volatile boolean slotsSeen;
  private final List<LayersRequest> layersRequests = new CopyOnWriteArrayList<>();
  private volatile int requestedLayers = (1 << PeerSdp.AUDIO_LAYERS.size()) - 1;
  private volatile Map<String, String> receivedLayers = Map.of();
  private volatile ReceiverReporter reporter;
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
    this(
        index,
        maxBots,
        room,
        name,
        talker,
        signaling,
        loop,
        loopStats,
        bindAddress,
        certificate,
        handshakes,
        Config.DEFAULT);
  }

  /** The same with {@code config}. */
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
      Executor handshakes,
      Config config) {
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
    this.config = config;
    this.heard = new StreamStats[maxBots];
    this.listenEvery = talker ? 1 : config.listenEvery();
    signaling.onFailure(this::fail);
    signaling.onActiveSpeakers(this::activeSpeakers);
    signaling.onLayersUpdate(this::layersUpdate);
    signaling.onReceiveLayers(layers -> receivedLayers = Map.copyOf(layers));
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
      if (talker || config.listenersPublish()) {
        publish = new Peer(name + "/pub", bindAddress, certificate, handshakes, peerListener());
        String answer =
            signaling.publish(
                PeerSdp.publishOffer(
                    publish,
                    ssrc(0),
                    "bot" + index,
                    signaling.publishSetup(),
                    signaling.wantsCandidates(),
                    config.layers() ? PeerSdp.AUDIO_LAYERS : List.of()));
        SessionDescription answered = SdpParser.parse(answer);
        if (config.layers() && !PeerSdp.acceptsSimulcast(answered)) {
          throw new IOException("the server answered the layered offer without a=simulcast:recv");
        }
        publish.start(loop, Remote.of(answered), Peer.Role.CONTROLLING);
      } else {
        publishConnected.complete(null);
      }
      subscribe = new Peer(name + "/sub", bindAddress, certificate, handshakes, peerListener());
      if (!config.receiverReports().isZero()) {
        reporter = new ReceiverReporter(subscribe, config.receiverReports().toNanos());
      }
      signaling.subscribe(this::answer);
      CompletableFuture.allOf(publishConnected, subscribeConnected).get(45, TimeUnit.SECONDS);
      connectMillis = (System.nanoTime() - start) / 1_000_000;
      if (state == State.CONNECTING) {
        state = State.CONNECTED;
      }
      if (talker || config.listenersPublish()) {
        startTalking();
      }
      ReceiverReporter reports = reporter;
      if (reports != null) {
        loop.execute(() -> loop.addTicker(reports));
      }
    } catch (Exception e) {
      fail(
          e instanceof java.util.concurrent.ExecutionException
              ? e.getCause().toString()
              : e.toString());
    }
  }

  private void startTalking() {
    List<PeerSdp.Rid> layers = config.layers() ? PeerSdp.AUDIO_LAYERS : List.of();
    int[] ssrcs = new int[Math.max(1, layers.size())];
    for (int i = 0; i < ssrcs.length; i++) {
      ssrcs[i] = ssrc(i);
    }
    VoiceSource source =
        new VoiceSource(
            publish,
            index,
            ssrcs,
            layers,
            config.bitrateBps(),
            config.talkSpurts(),
            requestedLayers,
            0x5EED_0000L + index,
            !talker);
    voice = source;
    source.setActiveLayers(requestedLayers); // a layersUpdate may have come meanwhile
    loop.execute(
        () -> {
          source.start(System.nanoTime());
          loop.addTicker(source);
        });
  }

  /** The SSRC of layer {@code layer} (0 also without layers). */
  private int ssrc(int layer) {
    return ((layer + 1) << 24) + index;
  }

  /** Signaling thread: the server asks for other layers (layer name → send). */
  private void layersUpdate(Map<String, Boolean> layers) {
    int mask = 0;
    for (int i = 0; i < PeerSdp.AUDIO_LAYERS.size(); i++) {
      if (Boolean.TRUE.equals(layers.get(PeerSdp.AUDIO_LAYERS.get(i).id()))) {
        mask |= 1 << i;
      }
    }
    requestedLayers = mask;
    VoiceSource source = voice;
    if (source != null) {
      source.setActiveLayers(mask);
    }
    // Logged once in force: whoever reads the log sees the source already told.
    layersRequests.add(new LayersRequest(System.nanoTime(), mask));
  }

  /**
   * Signaling thread: a speaker-slot room's slots changed. A sender that held a slot for this bot
   * and holds none now was dropped: its stream's loss in the window no longer counts (nobody sends
   * it to this bot), see {@link #droppedSinceMark()}.
   */
  private void activeSpeakers(List<String> names) {
    var holders = new ArrayList<Integer>(names.size());
    for (String holder : names) {
      holders.add(holder != null && holder.startsWith("bot") ? parseIndex(holder) : -1);
    }
    for (Integer before : slotHolders) {
      if (before >= 0 && !holders.contains(before)) {
        droppedSinceMark.add(before);
      }
    }
    slotHolders = List.copyOf(holders);
    slotsSeen = true;
  }

  private static int parseIndex(String name) {
    try {
      return Integer.parseInt(name.substring(3));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Whether this bot's room moved to speaker slots: it answered an offer of slots only, or was told
   * who speaks in them (a newcomer to a slotted room hears {@code activeSpeakers} only at the next
   * change, so the offer is what counts).
   */
  public boolean slotsSeen() {
    return slotsSeen || signaling.offersAfterSlots() >= 0;
  }

  /** Who holds each slot for this bot now (bot index, -1 empty); empty without slots. */
  public List<Integer> slotHolders() {
    return slotHolders;
  }

  /** Senders that lost their slot since {@link #mark()}. */
  public Set<Integer> droppedSinceMark() {
    return Set.copyOf(droppedSinceMark);
  }

  /** Subscribe offers after the room had moved to slots; -1 if it never did for this bot. */
  public long offersAfterSlots() {
    return signaling.offersAfterSlots();
  }

  /** Whether this bot decrypts fewer than all packets (count or sample listener). */
  public boolean decryptsAll() {
    return listenEvery == 1;
  }

  /**
   * Loop thread: starts the measured window for every stream this bot hears (stamps and SSRCs) and
   * forgets earlier slot drops.
   */
  public void mark() {
    for (StreamStats stream : heard) {
      if (stream != null) {
        stream.mark();
      }
    }
    ssrcCounts.mark();
    droppedSinceMark.clear();
  }

  /** Loop thread: per-SSRC packets, bytes and gaps since {@link #mark()}. */
  public SsrcCounts.Window ssrcWindow() {
    return ssrcCounts.sinceMark();
  }

  /** Every {@code layersUpdate} received so far, oldest first. */
  public List<LayersRequest> layersRequests() {
    return List.copyOf(layersRequests);
  }

  /** What the server last said this bot receives: layer name by speaker's participant id. */
  public Map<String, String> receivedLayers() {
    return receivedLayers;
  }

  /** RTP packets sent on layer {@code layer} (0 h, 1 m, 2 l; 0 is the only one without layers). */
  public long packetsSent(int layer) {
    VoiceSource source = voice;
    return source == null ? 0 : source.packetsSent(layer);
  }

  /** RTCP receiver reports sent (0 unless {@link Config#receiverReports()} is set). */
  public long receiverReportsSent() {
    Peer peer = subscribe;
    return peer == null ? 0 : peer.rtcpSent();
  }

  private String answer(SessionDescription offer) throws Exception {
    boolean first = subscribe.state() == Peer.State.NEW;
    String answer = PeerSdp.subscribeAnswer(offer, subscribe, signaling.wantsCandidates());
    if (first) {
      // RFC 8445 §6.1.1: facing a lite agent the bot controls; facing a full one, the offerer does.
      Peer.Role role =
          offer.has(Attribute.Flag.ICE_LITE) ? Peer.Role.CONTROLLING : Peer.Role.CONTROLLED;
      Remote server = Remote.of(offer);
      InetSocketAddress via = config.subscribeVia().apply(server.address());
      subscribe.start(
          loop, new Remote(server.ufrag(), server.password(), server.fingerprint(), via), role);
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
      public boolean onSrtp(Peer peer, byte[] buf, int length, long arrivedNanos) {
        if (peer != subscribe) {
          return true;
        }
        long count =
            ssrcCounts.record(
                Stamp.getInt(buf, 8), ((buf[2] & 0xFF) << 8) | (buf[3] & 0xFF), length);
        return listenEvery == 1 || (listenEvery > 1 && count % listenEvery == 1);
      }

      @Override
      public void onRtp(Peer peer, byte[] buf, int length, long arrivedNanos) {
        ReceiverReporter reports = reporter;
        if (reports != null) {
          reports.onRtp(buf, length, arrivedNanos);
        }
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
    stream.record(
        Stamp.sequence(buf, payload) & 0xFFFF_FFFFL,
        sent,
        arrivedNanos,
        Stamp.layer(buf, payload),
        length - payload,
        Stamp.getInt(buf, 8));
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

  /**
   * What this bot has heard of {@code sender} so far, read on its loop while media flows; null if
   * nothing.
   */
  public StreamStats.Totals heardTotals(int sender) throws Exception {
    var totals = new CompletableFuture<StreamStats.Totals>();
    loop.execute(
        () -> {
          StreamStats stream = heard[sender];
          totals.complete(stream == null ? null : stream.totals());
        });
    return totals.get(5, TimeUnit.SECONDS);
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
    ReceiverReporter reports = reporter;
    if (reports != null) {
      loop.execute(() -> loop.removeTicker(reports));
    }
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
