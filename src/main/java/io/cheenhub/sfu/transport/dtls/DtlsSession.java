package io.cheenhub.sfu.transport.dtls;

import io.cheenhub.sfu.transport.dtls.HandshakeOutcome.Established;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome.Failed;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome.FailureReason;
import io.cheenhub.sfu.transport.srtp.DtlsRole;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsPeer;

/**
 * One DTLS-SRTP association over an ICE path: runs the handshake, reports its outcome, then keeps
 * answering the peer until closed.
 *
 * <p>Lifecycle: create, feed every DTLS datagram from the ICE receive path to {@link
 * #offerDatagram} (it only copies and queues, so it may be called before {@link #start}), call
 * {@link #start} once ICE can carry packets, and {@link #close} when the transport goes away.
 *
 * <p>Threads: the handshake blocks, so it runs as one task on the given executor (the container's
 * managed executor for blocking work; it must run tasks on other threads). After it, each batch of
 * arriving DTLS datagrams gets a short task that drives BC's receive: BC only retransmits its last
 * flight when the client retransmits Finished and something reads it, and close_notify arrives the
 * same way (transport-stack.md §2.1). No thread is held between batches. Listener calls come from
 * those tasks. {@link #whenTerminated()} completes once closed and idle.
 */
public final class DtlsSession {

  /** Sends one datagram toward the peer (ICE {@code Component.send}); must be thread-safe. */
  @FunctionalInterface
  public interface Sender {
    void send(byte[] buf, int off, int len) throws IOException;
  }

  /** Hears what happens to a session; called on executor threads, must not block. */
  public interface Listener {
    /** Exactly once per started session. */
    void onHandshakeOutcome(DtlsSession session, HandshakeOutcome outcome);

    /**
     * An established association ended without our {@link #close()}: the peer sent close_notify or
     * a fatal alert, or BC failed it. The session is closed by the time this runs.
     */
    default void onClosedByPeer(DtlsSession session) {}
  }

  /** Where a session is in its life. */
  public enum State {
    NEW,
    HANDSHAKING,
    ESTABLISHED,
    FAILED,
    CLOSED
  }

  private static final Logger LOG = Logger.getLogger(DtlsSession.class.getName());

  // How long one read of an established association waits for the next datagram of a batch.
  private static final int PUMP_WAIT_MILLIS = 1;

  private final DtlsRole role;
  private final DtlsParameters parameters;
  private final TlsPeer peer;
  private final HandshakeResult result;
  private final QueuedDatagramTransport transport;
  private final Executor executor;
  private final Listener listener;

  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final AtomicBoolean closeRequested = new AtomicBoolean();
  private final AtomicBoolean pumpScheduled = new AtomicBoolean();
  private final AtomicInteger runningTasks = new AtomicInteger();
  private final AtomicLong discardedApplicationData = new AtomicLong();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  // Guards the established association: the pump reads it, close() closes it.
  private final ReentrantLock dtlsLock = new ReentrantLock();
  private DTLSTransport dtls;
  private final byte[] pumpBuffer = new byte[QueuedDatagramTransport.RECEIVE_LIMIT_BYTES];

  DtlsSession(
      DtlsRole role,
      DtlsParameters parameters,
      TlsPeer peer,
      HandshakeResult result,
      Sender sender,
      Executor executor,
      Listener listener) {
    this.role = role;
    this.parameters = parameters;
    this.peer = peer;
    this.result = result;
    this.transport = new QueuedDatagramTransport(sender);
    this.executor = executor;
    this.listener = listener;
  }

  /** The SFU's usual role: DTLS server, {@code a=setup:passive} (RFC 5763 §5). */
  public static DtlsSession server(
      DtlsParameters parameters, Sender sender, Executor executor, Listener listener) {
    HandshakeResult result = new HandshakeResult();
    return new DtlsSession(
        DtlsRole.SERVER,
        parameters,
        new DtlsServer(parameters, result),
        result,
        sender,
        executor,
        listener);
  }

  /** The client role (test peer, load bots), offering the parameters' profiles in order. */
  public static DtlsSession client(
      DtlsParameters parameters, Sender sender, Executor executor, Listener listener) {
    return client(
        parameters,
        HandshakeRules.codePoints(parameters.srtpProfiles()),
        sender,
        executor,
        listener);
  }

  /** A client offering raw use_srtp code points, including ones we cannot use (tests). */
  static DtlsSession client(
      DtlsParameters parameters,
      int[] offeredProfiles,
      Sender sender,
      Executor executor,
      Listener listener) {
    HandshakeResult result = new HandshakeResult();
    return new DtlsSession(
        DtlsRole.CLIENT,
        parameters,
        new DtlsClient(parameters, offeredProfiles, result),
        result,
        sender,
        executor,
        listener);
  }

  /**
   * Starts the handshake on the executor; call it once ICE has a validated pair.
   *
   * @return false if already started or closed
   */
  public boolean start() {
    if (closeRequested.get() || !state.compareAndSet(State.NEW, State.HANDSHAKING)) {
      return false;
    }
    runningTasks.incrementAndGet();
    try {
      executor.execute(this::handshake);
    } catch (RejectedExecutionException e) {
      state.compareAndSet(State.HANDSHAKING, State.FAILED);
      taskEnded();
      report(new Failed(FailureReason.OTHER, "executor rejected the handshake", Duration.ZERO));
    }
    return true;
  }

  /**
   * Queues one DTLS datagram received from the peer (copied, so the caller keeps its buffer).
   *
   * @return false if it was dropped (queue full, oversized, duplicate before start, closed)
   */
  public boolean offerDatagram(byte[] buf, int off, int len) {
    if (!transport.offer(buf, off, len)) {
      return false;
    }
    if (state.get() == State.ESTABLISHED) {
      schedulePump();
    }
    return true;
  }

  /**
   * Ends the session: sends close_notify if established, aborts a running handshake (its outcome is
   * {@link FailureReason#CLOSED}). Idempotent, non-blocking beyond a short wait for the pump.
   */
  public void close() {
    close(false);
  }

  private void close(boolean byPeer) {
    if (!closeRequested.compareAndSet(false, true)) {
      return;
    }
    State previous = state.getAndSet(State.CLOSED);
    dtlsLock.lock();
    try {
      if (dtls != null) {
        try {
          dtls.close(); // RFC 5246 §7.2.1: close_notify before closing the write side.
        } catch (IOException e) {
          LOG.log(Level.FINE, e, () -> "dtls close_notify failed " + parameters.label());
        }
        dtls = null;
      }
    } finally {
      dtlsLock.unlock();
    }
    transport.close();
    if (previous == State.ESTABLISHED) {
      LOG.info(
          () ->
              "dtls closed "
                  + parameters.label()
                  + " role="
                  + role
                  + " by="
                  + (byPeer ? "peer" : "local")
                  + " close_notify="
                  + result.closeNotifyReceived());
    }
    if (runningTasks.get() == 0) {
      terminated.complete(null);
    }
  }

  public State state() {
    return state.get();
  }

  public DtlsRole role() {
    return role;
  }

  /** The certificate this session presents (fixed at creation, whatever rotates later). */
  public DtlsCertificate localCertificate() {
    return parameters.certificate();
  }

  /** Datagrams from the peer dropped before BC saw them. */
  public long droppedDatagrams() {
    return transport.dropped();
  }

  /** Application data records received and discarded (we negotiate no data channel). */
  public long discardedApplicationData() {
    return discardedApplicationData.get();
  }

  /** Completes once {@link #close()} has run (or the peer closed) and no task of ours runs. */
  public CompletionStage<Void> whenTerminated() {
    return terminated.minimalCompletionStage();
  }

  private void handshake() {
    long start = System.nanoTime();
    HandshakeOutcome outcome;
    try {
      transport.handshakeStarted();
      DTLSTransport established =
          role == DtlsRole.SERVER
              ? new DTLSServerProtocol().accept((DtlsServer) peer, transport)
              : new DTLSClientProtocol().connect((DtlsClient) peer, transport);
      outcome = adopt(established, Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException | RuntimeException e) {
      outcome = failure(e, Duration.ofNanos(System.nanoTime() - start));
      state.compareAndSet(State.HANDSHAKING, State.FAILED);
    }
    try {
      report(outcome);
      if (state.get() == State.ESTABLISHED && transport.hasPending()) {
        schedulePump(); // Datagrams that came while BC finished (a retransmitted Finished).
      }
    } finally {
      taskEnded();
    }
  }

  private HandshakeOutcome adopt(DTLSTransport established, Duration took) throws IOException {
    dtlsLock.lock();
    try {
      if (!closeRequested.get() && state.compareAndSet(State.HANDSHAKING, State.ESTABLISHED)) {
        dtls = established;
        return result.established(took);
      }
    } finally {
      dtlsLock.unlock();
    }
    // close() ran while BC was finishing: end the association we are not going to use.
    result.discardKeys();
    established.close();
    return new Failed(FailureReason.CLOSED, "closed during the handshake", took);
  }

  private Failed failure(Exception e, Duration took) {
    return closeRequested.get()
        ? new Failed(FailureReason.CLOSED, "closed during the handshake", took)
        : result.failed(e, took);
  }

  private void report(HandshakeOutcome outcome) {
    if (outcome instanceof Established e) {
      LOG.info(
          () ->
              String.format(
                  "dtls established %s role=%s profile=%s suite=0x%04X ems=%s ms=%d",
                  parameters.label(),
                  role,
                  e.profile(),
                  e.cipherSuite(),
                  e.extendedMasterSecret(),
                  e.handshakeDuration().toMillis()));
    } else if (outcome instanceof Failed f) {
      LOG.info(
          () ->
              String.format(
                  "dtls failed %s role=%s reason=%s ms=%d detail=%s",
                  parameters.label(), role, f.reason(), f.elapsed().toMillis(), f.detail()));
    }
    try {
      listener.onHandshakeOutcome(this, outcome);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, e, () -> "dtls listener failed " + parameters.label());
    }
  }

  private void schedulePump() {
    if (!pumpScheduled.compareAndSet(false, true)) {
      return;
    }
    runningTasks.incrementAndGet();
    if (closeRequested.get()) {
      pumpScheduled.set(false);
      taskEnded();
      return;
    }
    try {
      executor.execute(this::pump);
    } catch (RejectedExecutionException e) {
      pumpScheduled.set(false);
      taskEnded();
      LOG.log(Level.WARNING, e, () -> "dtls pump rejected " + parameters.label());
    }
  }

  private void pump() {
    boolean peerClosed = false;
    try {
      dtlsLock.lock();
      try {
        while (dtls != null && !closeRequested.get() && transport.hasPending()) {
          if (dtls.receive(pumpBuffer, 0, pumpBuffer.length, PUMP_WAIT_MILLIS) >= 0) {
            discardedApplicationData.incrementAndGet();
          }
          // Several records may share one datagram; handle the rest without waiting again.
          if (dtls.receivePending(pumpBuffer, 0, pumpBuffer.length) >= 0) {
            discardedApplicationData.incrementAndGet();
          }
        }
      } finally {
        dtlsLock.unlock();
      }
      peerClosed = transport.isClosed() && !closeRequested.get();
    } catch (IOException e) {
      // A fatal alert from the peer, or BC failing the association; either way it is over.
      peerClosed = !closeRequested.get();
      if (peerClosed) {
        LOG.log(Level.FINE, e, () -> "dtls association failed " + parameters.label());
      }
    } finally {
      pumpScheduled.set(false);
    }
    try {
      if (peerClosed) {
        closedByPeer();
      } else if (transport.hasPending()) {
        schedulePump(); // A datagram arrived after the loop's last look.
      }
    } finally {
      taskEnded();
    }
  }

  private void closedByPeer() {
    close(true);
    try {
      listener.onClosedByPeer(this);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, e, () -> "dtls listener failed " + parameters.label());
    }
  }

  private void taskEnded() {
    if (runningTasks.decrementAndGet() == 0 && closeRequested.get()) {
      terminated.complete(null);
    }
  }
}
