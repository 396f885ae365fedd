package io.cheenhub.sfu.media;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One room's routing: every publisher to every subscriber of another participant, never back to its
 * own (design §1). Each (publisher, subscriber) pair is an {@link OutgoingStream} with its own
 * server-chosen SSRC.
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
      List<Publisher> publishers, List<Subscriber> subscribers, List<OutgoingStream> streams) {

    /** No one. */
    public static final Snapshot EMPTY = new Snapshot(List.of(), List.of(), List.of());

    public Snapshot {
      publishers = List.copyOf(publishers);
      subscribers = List.copyOf(subscribers);
      streams = List.copyOf(streams);
    }

    /** The streams {@code publisher} feeds. */
    public List<OutgoingStream> streamsFrom(Publisher publisher) {
      return streams.stream().filter(s -> s.publisher() == publisher).toList();
    }

    /** The streams {@code subscriber} receives, e.g. one m-line each in its offer. */
    public List<OutgoingStream> streamsTo(Subscriber subscriber) {
      return streams.stream().filter(s -> s.subscriber() == subscriber).toList();
    }

    /** The stream from {@code publisher} to {@code subscriber}, if they are connected. */
    public Optional<OutgoingStream> stream(Publisher publisher, Subscriber subscriber) {
      return streams.stream()
          .filter(s -> s.publisher() == publisher && s.subscriber() == subscriber)
          .findFirst();
    }
  }

  private final String roomId;
  private final Object lock = new Object();
  private volatile Snapshot snapshot = Snapshot.EMPTY;

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
      for (Subscriber subscriber : before.subscribers()) {
        if (!sameParticipant(publisher, subscriber)) {
          added.add(new OutgoingStream(publisher, subscriber, subscriber.allocateSsrc()));
        }
      }
      var publishers = new ArrayList<>(before.publishers());
      publishers.add(publisher);
      var streams = new ArrayList<>(before.streams());
      streams.addAll(added);
      publish(new Snapshot(publishers, before.subscribers(), streams), List.of(publisher));
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
      for (Publisher publisher : before.publishers()) {
        if (!sameParticipant(publisher, subscriber)) {
          added.add(new OutgoingStream(publisher, subscriber, subscriber.allocateSsrc()));
          fed.add(publisher);
        }
      }
      var subscribers = new ArrayList<>(before.subscribers());
      subscribers.add(subscriber);
      var streams = new ArrayList<>(before.streams());
      streams.addAll(added);
      publish(new Snapshot(before.publishers(), subscribers, streams), fed);
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
      publish(new Snapshot(publishers, before.subscribers(), streams), List.of(publisher));
      removed.forEach(OutgoingStream::close);
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
      var fed = removed.stream().map(OutgoingStream::publisher).toList();
      publish(new Snapshot(before.publishers(), subscribers, streams), fed);
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

  /** Installs {@code next} and the rows of {@code changed} publishers; under the lock. */
  private void publish(Snapshot next, List<Publisher> changed) {
    snapshot = next;
    for (Publisher publisher : changed) {
      publisher.setRoutes(
          next.publishers().contains(publisher)
              ? next.streamsFrom(publisher).toArray(Publisher.NO_ROUTES)
              : Publisher.NO_ROUTES);
    }
  }

  private static boolean sameParticipant(Publisher publisher, Subscriber subscriber) {
    return publisher.participantId().equals(subscriber.participantId());
  }

  @Override
  public String toString() {
    Snapshot current = snapshot;
    return "forwarding room="
        + roomId
        + " publishers="
        + current.publishers().size()
        + " subscribers="
        + current.subscribers().size()
        + " streams="
        + current.streams().size();
  }
}
