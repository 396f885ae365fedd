package io.cheenhub.sfu.media;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One room's routing: every publisher to every subscriber of another participant, never back to its
 * own (design §1). Each (publisher, subscriber) pair is an {@link OutgoingStream} with its own
 * server-chosen SSRC.
 *
 * <p>A large room switches to <b>speaker slots</b> ({@link #enableSlots}): every subscriber then
 * has exactly N slot streams, and the publisher its {@link SpeakerSelector} puts in slot k feeds
 * every other subscriber's slot-k stream; joins and leaves no longer add or remove anybody else's
 * streams. The switch is make-before-break: a subscriber keeps its per-publisher streams until its
 * slot streams are active ({@link #slotsActivated}).
 *
 * <p>Signaling changes the table under this room's own lock (never one shared with other rooms) and
 * publishes an immutable {@link Snapshot} through a volatile field (copy-on-write); each publisher
 * also gets its own row as an immutable array, which is all the packet path reads. The methods
 * return the streams they created or removed, so signaling can offer or retire the subscribers'
 * m-lines with the right SSRCs.
 */
public final class ForwardingTable {

  /** The table at one moment. Immutable. */
  public record Snapshot(
      List<Publisher> publishers,
      List<Subscriber> subscribers,
      List<OutgoingStream> streams,
      List<Publisher> slots) {

    /** No one. */
    public static final Snapshot EMPTY = new Snapshot(List.of(), List.of(), List.of(), List.of());

    /**
     * @param slots who speaks in each slot (null: nobody), empty while the room routes every
     *     publisher to everyone
     */
    public Snapshot {
      publishers = List.copyOf(publishers);
      subscribers = List.copyOf(subscribers);
      streams = List.copyOf(streams);
      slots = Collections.unmodifiableList(new ArrayList<>(slots));
    }

    Snapshot(
        List<Publisher> publishers, List<Subscriber> subscribers, List<OutgoingStream> streams) {
      this(publishers, subscribers, streams, List.of());
    }

    /** Whether the room forwards through speaker slots. */
    public boolean slotted() {
      return !slots.isEmpty();
    }

    /** The per-publisher streams {@code publisher} feeds (slot streams are not any one's). */
    public List<OutgoingStream> streamsFrom(Publisher publisher) {
      return streams.stream().filter(s -> !s.isSlot() && s.publisher() == publisher).toList();
    }

    /** What carries {@code publisher}'s audio now: its own streams and the slot it speaks in. */
    public List<OutgoingStream> streamsCarrying(Publisher publisher) {
      return streams.stream().filter(s -> s.publisher() == publisher).toList();
    }

    /** The slot streams of every subscriber (empty unless slotted). */
    public List<OutgoingStream> slotStreams() {
      return streams.stream().filter(OutgoingStream::isSlot).toList();
    }

    /** The streams {@code subscriber} receives, e.g. one m-line each in its offer. */
    public List<OutgoingStream> streamsTo(Subscriber subscriber) {
      return streams.stream().filter(s -> s.subscriber() == subscriber).toList();
    }

    /** The per-publisher stream from {@code publisher} to {@code subscriber}, if there is one. */
    public Optional<OutgoingStream> stream(Publisher publisher, Subscriber subscriber) {
      return streams.stream()
          .filter(s -> !s.isSlot() && s.publisher() == publisher && s.subscriber() == subscriber)
          .findFirst();
    }
  }

  private final String roomId;
  private final Object lock = new Object();
  private volatile Snapshot snapshot = Snapshot.EMPTY;
  // Speaker slots: the selector (null while routed) and each publisher's key in it; under lock.
  private SpeakerSelector selector;
  private SlotMap installed; // the map install() last forwarded by; under the lock
  private final Map<Publisher, SpeakerMeter> meters = new HashMap<>();
  private int nextSpeakerKey;

  /** An empty table for room {@code roomId}. */
  public ForwardingTable(String roomId) {
    this.roomId = Objects.requireNonNull(roomId);
  }

  /** The room this table routes. */
  public String roomId() {
    return roomId;
  }

  /** The current table; never locks. */
  public Snapshot snapshot() {
    return snapshot;
  }

  /**
   * Starts forwarding {@code publisher} to every subscriber of another participant.
   *
   * @return the new streams, one per such subscriber
   * @throws IllegalStateException if the publisher is or was in a table
   */
  public List<OutgoingStream> addPublisher(Publisher publisher) {
    if (!publisher.attach()) {
      throw new IllegalStateException(publisher + " is already in a forwarding table");
    }
    synchronized (lock) {
      Snapshot before = snapshot;
      var added = new ArrayList<OutgoingStream>();
      if (before.slotted()) {
        // A large room: the new publisher is heard once the selector gives it a slot (and goes on
        // the relays then, too).
        addMeter(publisher);
      }
      for (Subscriber subscriber : before.subscribers()) {
        if ((!before.slotted() || subscriber.isRelay()) && feeds(publisher, subscriber)) {
          added.add(stream(publisher, subscriber));
        }
      }
      var publishers = new ArrayList<>(before.publishers());
      publishers.add(publisher);
      var streams = new ArrayList<>(before.streams());
      streams.addAll(added);
      publish(
          new Snapshot(publishers, before.subscribers(), streams, before.slots()),
          List.of(publisher));
      return List.copyOf(added);
    }
  }

  /**
   * Starts forwarding every publisher of another participant to {@code subscriber}.
   *
   * @return the new streams, one per such publisher
   * @throws IllegalStateException if the subscriber is or was in a table, or is closed
   */
  public List<OutgoingStream> addSubscriber(Subscriber subscriber) {
    if (subscriber.isClosed() || !subscriber.attach()) {
      throw new IllegalStateException(subscriber + " is closed or already in a forwarding table");
    }
    synchronized (lock) {
      Snapshot before = snapshot;
      var added = new ArrayList<OutgoingStream>();
      var fed = new ArrayList<Publisher>();
      if (before.slotted() && !subscriber.isRelay()) {
        // A listener that comes after the speakers were chosen hears them at once: each slot
        // stream starts with the slot's speaker (the fan-out skips a stream it does not hold).
        for (OutgoingStream stream : slotStreams(subscriber, before.slots().size())) {
          stream.setHolder(before.slots().get(stream.slot()));
          added.add(stream);
        }
        before.slots().stream().filter(Objects::nonNull).forEach(fed::add);
      } else {
        for (Publisher publisher : before.publishers()) {
          if (feeds(publisher, subscriber)) {
            added.add(stream(publisher, subscriber));
            fed.add(publisher);
          }
        }
      }
      var subscribers = new ArrayList<>(before.subscribers());
      subscribers.add(subscriber);
      var streams = new ArrayList<>(before.streams());
      streams.addAll(added);
      publish(new Snapshot(before.publishers(), subscribers, streams, before.slots()), fed);
      return List.copyOf(added);
    }
  }

  /**
   * Stops forwarding {@code publisher}. When this returns, none of its packets is sent any more
   * (those already queued are discarded and their buffers returned).
   *
   * @return the removed streams (to retire their m-lines), empty if it was not in this table
   */
  public List<OutgoingStream> removePublisher(Publisher publisher) {
    List<OutgoingStream> removed;
    synchronized (lock) {
      Snapshot before = snapshot;
      if (!before.publishers().contains(publisher)) {
        return List.of();
      }
      removed = before.streamsFrom(publisher);
      var publishers = new ArrayList<>(before.publishers());
      publishers.remove(publisher);
      var streams = new ArrayList<>(before.streams());
      streams.removeAll(removed);
      var slots = new ArrayList<>(before.slots());
      boolean spoke = slots.contains(publisher);
      slots.replaceAll(holder -> holder == publisher ? null : holder);
      SpeakerMeter meter = meters.remove(publisher);
      if (meter != null) {
        selector.remove(meter);
      }
      publish(new Snapshot(publishers, before.subscribers(), streams, slots), List.of(publisher));
      removed.forEach(OutgoingStream::close);
      if (spoke) {
        // Its slot streams stay (they are the subscribers'), but must not wait for its packets.
        for (OutgoingStream stream : before.slotStreams()) {
          if (stream.publisher() == publisher) {
            stream.setHolder(null);
          }
        }
        for (Subscriber subscriber : before.subscribers()) {
          if (!sameParticipant(publisher, subscriber)) {
            subscriber.awaitNoSend();
          }
        }
      }
    }
    // A subscriber may be sending one of its packets right now; outside the lock, wait for it.
    for (OutgoingStream stream : removed) {
      stream.subscriber().awaitNoSend();
    }
    return removed;
  }

  /**
   * Stops forwarding to {@code subscriber} and closes it. When this returns, nothing is sent to it
   * any more and its queued buffers are back in the pool (or on their way, via a worker).
   *
   * @return the removed streams, empty if it was not in this table
   */
  public List<OutgoingStream> removeSubscriber(Subscriber subscriber) {
    List<OutgoingStream> removed;
    synchronized (lock) {
      Snapshot before = snapshot;
      if (!before.subscribers().contains(subscriber)) {
        return List.of();
      }
      removed = before.streamsTo(subscriber);
      var subscribers = new ArrayList<>(before.subscribers());
      subscribers.remove(subscriber);
      var streams = new ArrayList<>(before.streams());
      streams.removeAll(removed);
      var fed = removed.stream().map(OutgoingStream::publisher).filter(Objects::nonNull).toList();
      publish(new Snapshot(before.publishers(), subscribers, streams, before.slots()), fed);
      removed.forEach(OutgoingStream::close);
    }
    subscriber.close();
    return removed;
  }

  /** Removes everyone (the room closed). */
  public void clear() {
    Snapshot current = snapshot;
    current.publishers().forEach(this::removePublisher);
    current.subscribers().forEach(this::removeSubscriber);
  }

  /**
   * Switches this room to {@code slots} speaker slots: every subscriber gets its slot streams
   * (inactive until its browser answers an offer with them), publishers get speaker meters and keep
   * their per-publisher streams until each subscriber's slots are active. Once only.
   *
   * @return the new slot streams (to offer), empty if the room already has slots
   */
  public List<OutgoingStream> enableSlots(int slots) {
    if (slots < 1 || slots > SpeakerSelector.MAX_SLOTS) {
      throw new IllegalArgumentException("slots must be 1.." + SpeakerSelector.MAX_SLOTS);
    }
    synchronized (lock) {
      Snapshot before = snapshot;
      if (before.slotted()) {
        return List.of();
      }
      selector = new SpeakerSelector(slots);
      before.publishers().forEach(this::addMeter);
      var added = new ArrayList<OutgoingStream>();
      for (Subscriber subscriber : before.subscribers()) {
        if (!subscriber.isRelay()) { // a relay keeps one stream per speaker here
          added.addAll(slotStreams(subscriber, slots));
        }
      }
      var streams = new ArrayList<>(before.streams());
      streams.addAll(added);
      var empty = new ArrayList<Publisher>();
      for (int i = 0; i < slots; i++) {
        empty.add(null);
      }
      publish(
          new Snapshot(before.publishers(), before.subscribers(), streams, empty),
          before.publishers());
      return List.copyOf(added);
    }
  }

  /**
   * {@code subscriber}'s browser answered an offer with its slot streams: its per-publisher streams
   * go (make-before-break: the slots carry the audio from now on).
   *
   * @return the per-publisher streams removed (to retire their m-lines)
   */
  public List<OutgoingStream> slotsActivated(Subscriber subscriber) {
    List<OutgoingStream> removed;
    synchronized (lock) {
      Snapshot before = snapshot;
      if (!before.slotted() || subscriber.isRelay()) {
        return List.of(); // a relay has no slots: its per-speaker streams are how it works
      }
      removed = before.streamsTo(subscriber).stream().filter(s -> !s.isSlot()).toList();
      if (removed.isEmpty()) {
        return removed;
      }
      var streams = new ArrayList<>(before.streams());
      streams.removeAll(removed);
      publish(
          new Snapshot(before.publishers(), before.subscribers(), streams, before.slots()),
          removed.stream().map(OutgoingStream::publisher).toList());
      removed.forEach(OutgoingStream::close);
    }
    subscriber.awaitNoSend();
    return removed;
  }

  /**
   * One selection pass ({@link SpeakerSelector#select}, every 100 ms): the new slot map if it
   * changed, else null. Nothing is forwarded differently until {@link #install}: tell the room
   * first, so that the map reaches every listener before the new speaker's first packet.
   */
  public SlotMap selectSpeakers(long nowNanos) {
    synchronized (lock) {
      if (selector == null || !selector.select(nowNanos)) {
        return null;
      }
      Snapshot current = snapshot;
      var byKey = new HashMap<Integer, Publisher>();
      meters.forEach((publisher, meter) -> byKey.put(meter.key(), publisher));
      var holders = new ArrayList<Publisher>();
      var levels = new int[selector.slots()];
      for (int slot = 0; slot < selector.slots(); slot++) {
        int key = selector.slotKey(slot);
        Publisher holder = key == SpeakerSelector.NONE ? null : byKey.get(key);
        holders.add(holder != null && current.publishers().contains(holder) ? holder : null);
        levels[slot] = holder == null ? 0 : selector.slotLevel(slot);
      }
      int dominantSlot = selector.dominantSlot();
      return new SlotMap(holders, levels, dominantSlot, selector.changes());
    }
  }

  /** Who speaks in which slot, as one selection pass left it. Immutable. */
  public record SlotMap(List<Publisher> holders, int[] levels, int dominantSlot, long version) {
    public SlotMap {
      holders = Collections.unmodifiableList(new ArrayList<>(holders));
      levels = levels.clone();
    }

    /** The level (dB above the speaker's noise floor) of slot {@code slot}'s speaker. */
    public int level(int slot) {
      return levels[slot];
    }
  }

  /** The slot map forwarded by now (the last {@link #install}ed), or null before the first. */
  public SlotMap installedMap() {
    synchronized (lock) {
      SlotMap last = installed;
      if (!snapshot.slotted() || last == null) {
        return null;
      }
      // The holders now (one may have left since): levels and dominant only where unchanged.
      List<Publisher> holders = snapshot.slots();
      int[] levels = new int[holders.size()];
      for (int slot = 0; slot < holders.size() && slot < last.holders().size(); slot++) {
        if (holders.get(slot) != null && holders.get(slot) == last.holders().get(slot)) {
          levels[slot] = last.level(slot);
        }
      }
      int dominant = last.dominantSlot();
      boolean kept =
          dominant >= 0
              && dominant < holders.size()
              && holders.get(dominant) != null
              && holders.get(dominant) == last.holders().get(dominant);
      return new SlotMap(holders, levels, kept ? dominant : -1, last.version());
    }
  }

  /** Forwards by {@code map} from now on (after the room was told). */
  public void install(SlotMap map) {
    synchronized (lock) {
      Snapshot before = snapshot;
      if (!before.slotted() || map.holders().size() != before.slots().size()) {
        return;
      }
      var holders = new ArrayList<Publisher>();
      for (Publisher holder : map.holders()) {
        holders.add(holder != null && before.publishers().contains(holder) ? holder : null);
      }
      var changed = new ArrayList<Publisher>();
      for (int slot = 0; slot < holders.size(); slot++) {
        Publisher was = before.slots().get(slot);
        Publisher now = holders.get(slot);
        if (was != now) {
          if (was != null) {
            changed.add(was);
          }
          if (now != null) {
            changed.add(now);
          }
        }
      }
      for (OutgoingStream stream : before.slotStreams()) {
        stream.setHolder(holders.get(stream.slot()));
      }
      installed = map;
      publish(
          new Snapshot(before.publishers(), before.subscribers(), before.streams(), holders),
          changed);
    }
  }

  /**
   * Mutes or unmutes {@code publisher} for speaker selection (leaves its slot at the next pass).
   */
  public void setMuted(Publisher publisher, boolean muted) {
    synchronized (lock) {
      publisher.setMuted(muted);
      SpeakerMeter meter = meters.get(publisher);
      if (meter != null) {
        selector.setMuted(meter, muted);
      }
    }
  }

  private void addMeter(Publisher publisher) {
    SpeakerMeter meter = selector.add(nextSpeakerKey++);
    if (!publisher.isLocal()) {
      meter.assumeFloor(0); // its relay sends levels above its floor over there
    }
    if (publisher.isMuted()) {
      selector.setMuted(meter, true);
    }
    meters.put(publisher, meter);
    publisher.setSpeakerMeter(meter);
  }

  private static List<OutgoingStream> slotStreams(Subscriber subscriber, int slots) {
    var streams = new ArrayList<OutgoingStream>(slots);
    for (int slot = 0; slot < slots; slot++) {
      streams.add(OutgoingStream.slot(subscriber, subscriber.allocateSsrc(), slot));
    }
    return streams;
  }

  /** Installs {@code next} and the rows of {@code changed} publishers; under the lock. */
  private void publish(Snapshot next, List<Publisher> changed) {
    snapshot = next;
    for (Publisher publisher : changed) {
      publisher.setRoutes(
          next.publishers().contains(publisher) ? row(next, publisher) : Publisher.NO_ROUTES);
    }
  }

  /**
   * What {@code publisher} feeds: its per-publisher streams, and if it speaks in slot k every other
   * participant's slot-k stream.
   */
  private static OutgoingStream[] row(Snapshot table, Publisher publisher) {
    int slot = table.slots().indexOf(publisher);
    var row = new ArrayList<OutgoingStream>();
    for (OutgoingStream stream : table.streamsFrom(publisher)) {
      // A relay carries only the selected speakers: in a room on slots, those holding one.
      if (!stream.subscriber().isRelay() || !table.slotted() || slot >= 0) {
        row.add(stream);
      }
    }
    if (slot >= 0) {
      for (OutgoingStream stream : table.streams()) {
        if (stream.slot() == slot && !sameParticipant(publisher, stream.subscriber())) {
          row.add(stream);
        }
      }
    }
    return row.toArray(Publisher.NO_ROUTES);
  }

  /**
   * Whether {@code publisher} has a stream of its own to {@code subscriber}: a listener hears
   * everyone but itself; a relay to another instance carries the speakers connected here only
   * (never one relayed from elsewhere, which that instance gets from the speaker's own).
   */
  private static boolean feeds(Publisher publisher, Subscriber subscriber) {
    return subscriber.isRelay() ? publisher.isLocal() : !sameParticipant(publisher, subscriber);
  }

  /**
   * A new per-publisher stream: to a listener with an SSRC of its own session; to a relay with the
   * publisher's relay SSRC (how the other instance knows whose audio it is), active at once (no
   * browser has to answer for it).
   */
  private static OutgoingStream stream(Publisher publisher, Subscriber subscriber) {
    if (!subscriber.isRelay()) {
      return new OutgoingStream(publisher, subscriber, subscriber.allocateSsrc());
    }
    var stream = new OutgoingStream(publisher, subscriber, publisher.relaySsrc());
    stream.activate();
    return stream;
  }

  private static boolean sameParticipant(Publisher publisher, Subscriber subscriber) {
    return publisher.participantId().equals(subscriber.participantId());
  }

  @Override
  public String toString() {
    Snapshot current = snapshot;
    return "forwarding room="
        + roomId
        + (current.slotted() ? " slots=" + current.slots().size() : "")
        + " publishers="
        + current.publishers().size()
        + " subscribers="
        + current.subscribers().size()
        + " streams="
        + current.streams().size();
  }
}
