package io.cheenhub.sfu.media;

import java.util.Arrays;

/**
 * Picks a room's dominant speaker and the publishers in its N speaker slots from the {@link
 * SpeakerMeter} of each publisher, in a periodic selection pass.
 *
 * <p>Inputs per publisher (see {@link SpeakerMeter}): its <em>level</em>, speech above its own
 * noise floor over about 200 ms, and its <em>loudness</em>, how loud its speech frames are (rising
 * over about 1 s of speech, falling over about 4 s, unchanged by pauses). A publisher is
 * <em>speaking</em> while its level is at least {@link #SPEAKING_DB} and it is not muted,
 * <em>quiet</em> for the time since the last pass at which it spoke, and <em>protected</em> while
 * quiet for less than {@link #HOLD_MILLIS}. It <em>leads</em> another while it is speaking and its
 * loudness is at least {@link #MARGIN_DB} above the other's.
 *
 * <p>Rules, in the order {@link #select} applies them:
 *
 * <ol>
 *   <li><b>Slots.</b> Candidates are the speaking publishers without a slot, tried loudest first
 *       (ties: lower index; at most N per pass). Each is offered the weakest slot: an empty one
 *       (lowest number first), else the unprotected holder quiet the longest, else the protected
 *       holder with the lowest loudness (ties: the longer quiet, then the lower slot); the
 *       dominant's slot only if it is the only slot. The candidate takes an empty or unprotected
 *       slot at once, and a protected holder's slot only once it has led that holder at every pass
 *       for {@link #CHALLENGE_MILLIS}.
 *   <li><b>Sticky slot numbers.</b> A newcomer takes exactly the slot it replaces; every other
 *       holder keeps its slot number, so a listener's slot-to-SSRC mapping changes in one place.
 *       Silence alone does not empty a slot: a quiet holder stays until somebody needs the slot.
 *   <li><b>Dominant speaker.</b> Always a slot holder. With none, the loudest speaking holder
 *       becomes dominant at once. After that the loudest other speaking holder takes over when the
 *       dominant is no longer protected, or once it has led the dominant at every pass for {@link
 *       #CHALLENGE_MILLIS}.
 *   <li><b>Mute and leave.</b> {@link #setMuted} and {@link #remove} empty the publisher's slot and
 *       end its dominance at once; a muted publisher is never a candidate.
 * </ol>
 *
 * <p>What this gives, on the generated 20 ms level traces of {@code SpeakerSelectorTest}:
 *
 * <ul>
 *   <li>A clear speaker whose floor is known (it sent room noise or DTX comfort noise before) takes
 *       a free or unprotected slot and the dominant role within 300 ms: its level crosses {@link
 *       #SPEAKING_DB} within 60 to 120 ms (speech 40 to 20 dB above the floor), plus at most one
 *       pass. Without a single reading before its first word, the floor starts at the first
 *       syllable and drops at the first dip: within 1 s.
 *   <li>A cough (150 ms, 60 dB above the noise) lifts a talker's loudness by at most 4 dB, and a
 *       newcomer's loudness starts at 0 dB: it never leads a talker by {@link #MARGIN_DB}. It does
 *       take an empty slot, which costs nobody anything.
 *   <li>Talkers at the same level (± 1 dB) or 3 dB apart keep their slots and roles: no change in
 *       60 s once their loudness has settled (the first seconds).
 *   <li>Steady noise sits on its own floor and is never a candidate.
 *   <li>A holder who stops loses its slot and role {@link #HOLD_MILLIS} after its last speaking
 *       pass, to whoever speaks then; a challenger 16 dB louder than a holder or dominant who keeps
 *       talking takes over within about 4 s (1 to 2 s for its loudness to build up, then the
 *       challenge).
 * </ul>
 *
 * <p>The reference SFUs (../shared/research/large-rooms.md): JVB ranks by a per-packet EMA (α 0.5)
 * of the level above a running minimum, with no hysteresis for its top N beyond that and a 150 ms
 * expiry, and takes its dominant speaker from the Volfin-Cohen test (score ratios on three time
 * scales) every 300 ms; Symphony Media Bridge scores peak minus noise floor every 10 ms, keeps
 * slots in least-recently-active order and lets the dominant change only after a 2 s lead unless
 * the incumbent fell silent; mediasoup averages levels per interval or ports JVB's detector and
 * leaves slots to the application; LiveKit forwards every track. Taken here: the above-the-floor
 * score of JVB and SMB, SMB's sticky slots that go to whoever was quiet the longest and its "lead
 * for a while unless the incumbent is silent" dominant rule. Added: a margin on a loudness that
 * pauses do not lower, and an explicit hold time, because without them two equal talkers swapped
 * places on phrase pauses in these traces.
 *
 * <p>Call {@link #select} every {@link #PASS_INTERVAL_MILLIS} from a room timer, not per packet: a
 * pass visits every publisher, so per packet it would cost O(publishers) per packet and make every
 * receive worker of the room contend for this object. A fixed cadence gives one thread, hold times
 * measured in pass time, and a decision delay well inside the 300 ms goal.
 *
 * <p>Deterministic: the output depends only on what the meters were fed and the times given to
 * {@link #select}; ties go to the lower index. Threads: the meters are fed without locks (see
 * {@link SpeakerMeter}); {@link #add}, {@link #remove}, {@link #setMuted}, {@link #select} and the
 * output accessors synchronize on this selector, a lock of this room only, taken a few times a
 * second (hold it around several accessor calls for a consistent view). A pass allocates nothing
 * and visits each publisher at most 2 + N times.
 */
public final class SpeakerSelector {

  /** Speaker slots per room unless configured ({@code sfu.room.speaker-slots}). */
  public static final int DEFAULT_SLOTS = 3;

  /** Most speaker slots a room may have. */
  public static final int MAX_SLOTS = 8;

  /** Suggested time between two selection passes, in milliseconds. */
  public static final int PASS_INTERVAL_MILLIS = 100;

  /** Level (dB above the noise floor) from which a publisher counts as speaking. */
  public static final float SPEAKING_DB = SpeakerMeter.SPEECH_DB;

  /**
   * How much louder (in loudness) a challenger must be than a slot holder or the dominant, in dB:
   * twice the sound pressure, and more than the whole range one talker's loudness covered over a
   * minute of the test traces (at most 5.4 dB, standard deviation 0.7 dB), so two equal talkers
   * cannot lead each other.
   */
  public static final float MARGIN_DB = 6;

  /**
   * How long a challenger must lead, in milliseconds: longer than a cough or a short remark plus
   * the fall of its level after it, so only sustained speech takes over.
   */
  public static final long CHALLENGE_MILLIS = 800;

  /**
   * How long a slot holder or the dominant stays protected after it stops speaking, in
   * milliseconds: longer than the usual pause between two phrases, short enough that the next
   * person to speak is heard within a second.
   */
  public static final long HOLD_MILLIS = 1_000;

  /** {@link #slotKey} of an empty slot and {@link #dominantKey} when there is none. */
  public static final int NONE = -1;

  private static final long NO_LEAD = Long.MIN_VALUE;
  private static final long CHALLENGE_NANOS = CHALLENGE_MILLIS * 1_000_000L;
  private static final long HOLD_NANOS = HOLD_MILLIS * 1_000_000L;
  private static final int INITIAL_CAPACITY = 16;

  private final int slots;
  private final int[] slotHolder; // publisher index per slot, NONE if empty
  private int dominant = NONE; // publisher index

  // Per publisher index; an index is reused after its publisher leaves.
  private SpeakerMeter[] meters = new SpeakerMeter[INITIAL_CAPACITY];
  private int[] slotOf = new int[INITIAL_CAPACITY];
  private boolean[] muted = new boolean[INITIAL_CAPACITY];
  private float[] level = new float[INITIAL_CAPACITY];
  private float[] loudness = new float[INITIAL_CAPACITY];
  private boolean[] speaking = new boolean[INITIAL_CAPACITY];
  private long[] lastSpeakingNanos = new long[INITIAL_CAPACITY];
  private long[] leadSinceNanos = new long[INITIAL_CAPACITY];
  private long[] triedInPass = new long[INITIAL_CAPACITY];
  private int[] freeIndices = new int[INITIAL_CAPACITY];
  private int freeCount;
  private int indexLimit; // indices in use are below this
  private int publishers;

  private long passes;
  private long changes;
  private long changesAtLastPass;
  private int visits;

  /** A selector with {@code slots} speaker slots (1 to {@link #MAX_SLOTS}). */
  public SpeakerSelector(int slots) {
    if (slots < 1 || slots > MAX_SLOTS) {
      throw new IllegalArgumentException("speaker slots must be 1.." + MAX_SLOTS + ": " + slots);
    }
    this.slots = slots;
    this.slotHolder = new int[slots];
    Arrays.fill(slotHolder, NONE);
  }

  /** A selector with {@link #DEFAULT_SLOTS} slots. */
  public SpeakerSelector() {
    this(DEFAULT_SLOTS);
  }

  /**
   * Adds a publisher (at join); returns the meter its receive path feeds. Allocates (the meter, and
   * larger arrays past the current capacity).
   *
   * @param key the caller's id of the publisher, reported by {@link #slotKey}; not {@link #NONE}
   *     and unique within this selector
   */
  public synchronized SpeakerMeter add(int key) {
    if (key == NONE) {
      throw new IllegalArgumentException("publisher key " + NONE + " is reserved for none");
    }
    for (int i = 0; i < indexLimit; i++) {
      if (meters[i] != null && meters[i].key() == key) {
        throw new IllegalArgumentException("publisher key already added: " + key);
      }
    }
    int index = freeCount > 0 ? freeIndices[--freeCount] : indexLimit++;
    if (index == meters.length) {
      grow();
    }
    SpeakerMeter meter = new SpeakerMeter(key, index);
    meters[index] = meter;
    slotOf[index] = NONE;
    muted[index] = false;
    level[index] = 0;
    loudness[index] = 0;
    speaking[index] = false;
    lastSpeakingNanos[index] = 0; // read only for slot holders, and every holder has spoken
    leadSinceNanos[index] = NO_LEAD;
    triedInPass[index] = 0;
    publishers++;
    return meter;
  }

  /**
   * Removes a publisher (at leave): its slot empties and it stops being dominant at once. Returns
   * whether the output changed; false also if the meter is not in this selector.
   */
  public synchronized boolean remove(SpeakerMeter meter) {
    int index = indexOf(meter);
    if (index == NONE) {
      return false;
    }
    boolean changed = vacate(index);
    meters[index] = null;
    freeIndices[freeCount++] = index;
    publishers--;
    if (changed) {
      changes++;
    }
    return changed;
  }

  /**
   * Marks a publisher muted or not (its {@code muted} message). Muting empties its slot and ends
   * its dominance at once, and keeps it out of selection until unmuted. Returns whether the output
   * changed.
   */
  public synchronized boolean setMuted(SpeakerMeter meter, boolean isMuted) {
    int index = indexOf(meter);
    if (index == NONE) {
      return false;
    }
    muted[index] = isMuted;
    leadSinceNanos[index] = NO_LEAD;
    if (!isMuted || !vacate(index)) {
      return false;
    }
    changes++;
    return true;
  }

  /**
   * Runs one selection pass at {@code nowNanos} (the {@link System#nanoTime} scale of the meters;
   * not earlier than the previous pass). Returns whether the output changed since the previous pass
   * (by this pass, or by {@link #remove} or {@link #setMuted} in between).
   */
  public synchronized boolean select(long nowNanos) {
    passes++;
    visits = 0;
    sample(nowNanos);
    updateLeads(nowNanos);
    boolean changed = fillSlots(nowNanos);
    changed |= chooseDominant(nowNanos);
    if (changed) {
      changes++;
    }
    boolean result = changes != changesAtLastPass;
    changesAtLastPass = changes;
    return result;
  }

  /** Number of speaker slots. */
  public int slots() {
    return slots;
  }

  /** Publishers in the selector. */
  public synchronized int publishers() {
    return publishers;
  }

  /** The key of the publisher in {@code slot}, or {@link #NONE} if the slot is empty. */
  public synchronized int slotKey(int slot) {
    int holder = slotHolder[slot];
    return holder == NONE ? NONE : meters[holder].key();
  }

  /**
   * The level of the publisher in {@code slot} at the last pass, in whole dB (rounded down) above
   * its noise floor, about 200 ms average: at least {@link #SPEAKING_DB} exactly while it speaks; 0
   * if the slot is empty.
   */
  public synchronized int slotLevel(int slot) {
    int holder = slotHolder[slot];
    return holder == NONE ? 0 : (int) level[holder];
  }

  /** The key of the dominant speaker, or {@link #NONE}. */
  public synchronized int dominantKey() {
    return dominant == NONE ? NONE : meters[dominant].key();
  }

  /** The slot of the dominant speaker, or {@link #NONE}. */
  public synchronized int dominantSlot() {
    return dominant == NONE ? NONE : slotOf[dominant];
  }

  /**
   * Number of output changes so far: passes that changed a slot holder or the dominant, and
   * removals or mutes that emptied a slot. Level changes alone do not count.
   */
  public synchronized long changes() {
    return changes;
  }

  /** Publisher entries the last pass visited, for the O(publishers) test. */
  synchronized int lastPassVisits() {
    return visits;
  }

  private void sample(long nowNanos) {
    for (int i = 0; i < indexLimit; i++) {
      visits++;
      SpeakerMeter meter = meters[i];
      if (meter == null) {
        continue;
      }
      if (muted[i]) {
        level[i] = 0;
        loudness[i] = 0;
        speaking[i] = false;
        continue;
      }
      level[i] = meter.levelAt(nowNanos);
      loudness[i] = meter.loudness();
      speaking[i] = level[i] >= SPEAKING_DB;
      if (speaking[i]) {
        lastSpeakingNanos[i] = nowNanos;
      }
    }
  }

  /**
   * Starts or ends every publisher's lead: a candidate against the weakest slot holder (only if
   * that holder still protects its slot), a holder against the dominant.
   */
  private void updateLeads(long nowNanos) {
    int weakestSlot = weakestSlot(nowNanos);
    int weakest = weakestSlot == NONE ? NONE : slotHolder[weakestSlot];
    int rivalOfCandidates = weakest != NONE && protects(weakest, nowNanos) ? weakest : NONE;
    for (int i = 0; i < indexLimit; i++) {
      visits++;
      if (meters[i] == null) {
        continue;
      }
      int rival = slotOf[i] == NONE ? rivalOfCandidates : i == dominant ? NONE : dominant;
      if (rival == NONE || !leads(i, rival)) {
        leadSinceNanos[i] = NO_LEAD;
      } else if (leadSinceNanos[i] == NO_LEAD) {
        leadSinceNanos[i] = nowNanos;
      }
    }
  }

  private boolean fillSlots(long nowNanos) {
    boolean changed = false;
    for (int tries = 0; tries < slots; tries++) {
      int candidate = loudestUntriedCandidate();
      if (candidate == NONE) {
        break;
      }
      triedInPass[candidate] = passes;
      int slot = weakestSlot(nowNanos);
      int holder = slotHolder[slot];
      if (holder == NONE
          || !protects(holder, nowNanos)
          || (wonChallenge(candidate, nowNanos) && leads(candidate, holder))) {
        if (holder != NONE) {
          vacate(holder);
        }
        slotHolder[slot] = candidate;
        slotOf[candidate] = slot;
        leadSinceNanos[candidate] = NO_LEAD;
        changed = true;
      }
    }
    return changed;
  }

  private boolean chooseDominant(long nowNanos) {
    int challenger = NONE;
    for (int slot = 0; slot < slots; slot++) {
      int holder = slotHolder[slot];
      if (holder != NONE
          && holder != dominant
          && speaking[holder]
          && (challenger == NONE || louder(holder, challenger))) {
        challenger = holder;
      }
    }
    if (challenger == NONE) {
      return false;
    }
    if (dominant == NONE
        || !protects(dominant, nowNanos)
        || (wonChallenge(challenger, nowNanos) && leads(challenger, dominant))) {
      dominant = challenger;
      leadSinceNanos[challenger] = NO_LEAD;
      return true;
    }
    return false;
  }

  /**
   * The slot a newcomer would take: an empty one (lowest number), else the holder quiet the longest
   * if it no longer protects its slot, else the holder with the lowest loudness (ties: the longer
   * quiet, then the lower slot). The dominant's slot only if it is the only one.
   */
  private int weakestSlot(long nowNanos) {
    int weakest = NONE;
    for (int slot = 0; slot < slots; slot++) {
      int holder = slotHolder[slot];
      if (holder == NONE) {
        return slot;
      }
      if (holder == dominant && slots > 1) {
        continue;
      }
      if (weakest == NONE || weaker(holder, slotHolder[weakest], nowNanos)) {
        weakest = slot;
      }
    }
    return weakest;
  }

  /** Whether holder {@code a} is a better slot to give away than holder {@code b}. */
  private boolean weaker(int a, int b, long nowNanos) {
    boolean aProtects = protects(a, nowNanos);
    if (aProtects != protects(b, nowNanos)) {
      return !aProtects;
    }
    if (aProtects && loudness[a] != loudness[b]) {
      return loudness[a] < loudness[b];
    }
    return lastSpeakingNanos[a] < lastSpeakingNanos[b]; // equal: keep the lower slot
  }

  /** Whether a slot holder (or the dominant) still keeps its place against newcomers. */
  private boolean protects(int holder, long nowNanos) {
    return nowNanos - lastSpeakingNanos[holder] < HOLD_NANOS;
  }

  /**
   * Whether {@code challenger} is ahead of {@code rival} now: speaking, and louder by the margin.
   */
  private boolean leads(int challenger, int rival) {
    return speaking[challenger] && loudness[challenger] >= loudness[rival] + MARGIN_DB;
  }

  private boolean wonChallenge(int challenger, long nowNanos) {
    long since = leadSinceNanos[challenger];
    return since != NO_LEAD && nowNanos - since >= CHALLENGE_NANOS;
  }

  private int loudestUntriedCandidate() {
    int best = NONE;
    for (int i = 0; i < indexLimit; i++) {
      visits++;
      if (meters[i] != null
          && speaking[i]
          && slotOf[i] == NONE
          && triedInPass[i] != passes
          && (best == NONE || louder(i, best))) {
        best = i;
      }
    }
    return best;
  }

  /** Whether {@code a} ranks above {@code b}: higher loudness, ties to the lower index. */
  private boolean louder(int a, int b) {
    return loudness[a] > loudness[b] || (loudness[a] == loudness[b] && a < b);
  }

  /** Empties the publisher's slot and ends its dominance; returns whether it held either. */
  private boolean vacate(int index) {
    boolean changed = false;
    int slot = slotOf[index];
    if (slot != NONE) {
      slotHolder[slot] = NONE;
      slotOf[index] = NONE;
      changed = true;
    }
    if (dominant == index) {
      dominant = NONE;
      changed = true;
    }
    leadSinceNanos[index] = NO_LEAD;
    return changed;
  }

  private int indexOf(SpeakerMeter meter) {
    int index = meter.index();
    return index < indexLimit && meters[index] == meter ? index : NONE;
  }

  private void grow() {
    int capacity = meters.length * 2;
    meters = Arrays.copyOf(meters, capacity);
    slotOf = Arrays.copyOf(slotOf, capacity);
    muted = Arrays.copyOf(muted, capacity);
    level = Arrays.copyOf(level, capacity);
    loudness = Arrays.copyOf(loudness, capacity);
    speaking = Arrays.copyOf(speaking, capacity);
    lastSpeakingNanos = Arrays.copyOf(lastSpeakingNanos, capacity);
    leadSinceNanos = Arrays.copyOf(leadSinceNanos, capacity);
    triedInPass = Arrays.copyOf(triedInPass, capacity);
    freeIndices = Arrays.copyOf(freeIndices, capacity);
  }
}
