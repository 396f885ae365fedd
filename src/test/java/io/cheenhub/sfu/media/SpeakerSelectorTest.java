package io.cheenhub.sfu.media;

import static io.cheenhub.sfu.media.SpeakerSelector.NONE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.media.SpeakerRoom.Pass;
import io.cheenhub.sfu.media.SpeakerTraces.Trace;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpeakerSelectorTest {

  // Levels in -dBov: a talker near Chrome's AGC target in a room with audible noise.
  private static final int SPEECH = 30;
  private static final int NOISE = 65;
  private static final int LOUD_SPEECH = SPEECH - 16;
  private static final int COUGH = 5;
  private static final long COUGH_MILLIS = 150;
  private static final int SEEDS = 20;

  @Test
  void aClearSpeakerTakesASlotAndTheDominantRoleWithin300Ms() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(3, 7_000_000_000L, seed);
      for (int key = 1; key <= 5; key++) {
        room.add(key, new Trace(seed * 10L + key).noise(10_000, 50 + key * 5));
      }
      room.add(9, new Trace(seed).noise(3_000, NOISE).speech(7_000, SPEECH, NOISE));
      room.run(10_000);

      assertThat(room.firstHolding(9, 0).millis()).as("seed %d", seed).isBetween(3_000L, 3_300L);
      assertThat(room.firstDominant(9, 0).millis()).as("seed %d", seed).isBetween(3_000L, 3_300L);
    }
  }

  @Test
  void aClearSpeakerTakesTheSlotOfSomebodyQuietForASecondWithin300Ms() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(2, 7_000_000_000L, seed);
      room.add(1, new Trace(seed).speech(2_000, SPEECH, NOISE).noise(8_000, NOISE));
      room.add(
          2,
          new Trace(seed + 100)
              .noise(2_000, NOISE)
              .speech(2_000, SPEECH, NOISE)
              .noise(6_000, NOISE));
      room.add(3, new Trace(seed + 200).noise(6_000, NOISE).speech(4_000, SPEECH, NOISE));
      room.run(10_000);

      Pass taken = room.firstHolding(3, 0);
      assertThat(taken.millis()).as("seed %d", seed).isBetween(6_000L, 6_300L);
      assertThat(room.firstDominant(3, 0).millis()).as("seed %d", seed).isBetween(6_000L, 6_300L);
      assertThat(taken.keys()).as("seed %d", seed).containsExactlyInAnyOrder(2, 3);
    }
  }

  @Test
  void aSpeakerAfterDtxWinsWithin300Ms() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(3, 7_000_000_000L, seed);
      room.add(1, new Trace(seed).dtx(3_000, NOISE).speech(3_000, SPEECH, NOISE));
      room.run(6_000);

      assertThat(room.firstDominant(1, 0).millis()).as("seed %d", seed).isBetween(3_000L, 3_300L);
    }
  }

  /**
   * Without a single reading before the first word, the floor is unknown and starts at the first
   * syllable; it drops at the first dip, so the speaker still wins, only later.
   */
  @Test
  void aSpeakerWithoutAnyReadingBeforeItsFirstWordWinsWithinOneSecond() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(3, 7_000_000_000L, seed);
      room.add(1, new Trace(seed).silence(2_000).speech(3_000, SPEECH, 127));
      room.add(2, new Trace(seed + 1).nothing(2_000).speech(3_000, SPEECH, NOISE));
      room.run(5_000);

      assertThat(room.firstHolding(1, 0).millis()).as("seed %d", seed).isBetween(2_000L, 3_000L);
      assertThat(room.firstHolding(2, 0).millis()).as("seed %d", seed).isBetween(2_000L, 3_000L);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3})
  void twoEqualSpeakersDoNotFlapForSixtySeconds(int slots) {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(slots, 7_000_000_000L, seed);
      room.add(1, new Trace(seed * 2L).speech(65_000, SPEECH, NOISE));
      room.add(2, new Trace(seed * 2L + 1).speech(65_000, SPEECH + 1, NOISE));
      room.run(65_000);

      assertThat(room.changesBetween(5_000, 65_000)).as("seed %d", seed).isZero();
      assertThat(room.last().keys()).contains(room.last().dominant());
    }
  }

  @Test
  void fiveEqualSpeakersInThreeSlotsDoNotFlapForSixtySeconds() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(3, 7_000_000_000L, seed);
      for (int key = 1; key <= 5; key++) {
        room.add(key, new Trace(seed * 10L + key).speech(65_000, SPEECH + key % 2, NOISE));
      }
      room.run(65_000);

      // The first seconds settle who holds the slots while every loudness builds up.
      assertThat(room.changesBetween(5_000, 65_000)).as("seed %d", seed).isZero();
    }
  }

  @Test
  void aCoughDoesNotStealTheOnlySlotFromASpeaker() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(1, 7_000_000_000L, seed);
      room.add(1, new Trace(seed).noise(500, NOISE).speech(19_500, SPEECH, NOISE));
      room.add(
          2,
          new Trace(seed + 100)
              .noise(10_000, NOISE)
              .constant(COUGH_MILLIS, COUGH)
              .noise(9_850, NOISE));
      room.run(20_000);

      assertThat(room.everHeld(2, 0, 20_000)).as("seed %d", seed).isFalse();
      assertThat(room.changesBetween(2_000, 20_000)).as("seed %d", seed).isZero();
    }
  }

  @Test
  void aCoughFollowedByTalkDoesNotStealASlotFromAnEqualSpeaker() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(1, 7_000_000_000L, seed);
      room.add(1, new Trace(seed).speech(20_000, SPEECH, NOISE));
      room.add(
          2,
          new Trace(seed + 100)
              .noise(10_000, NOISE)
              .constant(COUGH_MILLIS, COUGH)
              .speech(9_850, SPEECH, NOISE));
      room.run(20_000);

      assertThat(room.everHeld(2, 0, 20_000)).as("seed %d", seed).isFalse();
    }
  }

  @Test
  void aCoughDoesNotTakeASlotFromThreeTalkersNorTheDominantRole() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(3, 7_000_000_000L, seed);
      room.add(1, new Trace(seed).speech(20_000, SPEECH - 3, NOISE));
      room.add(2, new Trace(seed + 1).speech(20_000, SPEECH, NOISE));
      room.add(3, new Trace(seed + 2).speech(20_000, SPEECH, NOISE));
      room.add(
          4,
          new Trace(seed + 3)
              .noise(10_000, NOISE)
              .constant(COUGH_MILLIS, COUGH)
              .noise(9_850, NOISE));
      room.run(20_000);

      assertThat(room.everHeld(4, 0, 20_000)).as("seed %d", seed).isFalse();
      assertThat(room.changesBetween(5_000, 20_000)).as("seed %d", seed).isZero();
    }
  }

  /** The control for the tests above: the same cough is loud enough to count as speaking. */
  @Test
  void aCoughTakesAnEmptySlotButNotTheDominantRole() {
    SpeakerRoom room = new SpeakerRoom(2);
    room.add(1, new Trace(1).noise(500, NOISE).speech(19_500, SPEECH, NOISE));
    room.add(
        2, new Trace(2).noise(10_000, NOISE).constant(COUGH_MILLIS, COUGH).noise(9_850, NOISE));
    room.run(20_000);

    assertThat(room.firstHolding(2, 0).millis()).isBetween(10_000L, 10_300L);
    assertThat(room.firstDominant(2, 0)).isNull();
  }

  @Test
  void aSlotHolderWhoCoughsDoesNotBecomeDominant() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(3, 7_000_000_000L, seed);
      // 2 says a few words first, so it holds a slot, then coughs while 1 talks on.
      room.add(1, new Trace(seed).noise(3_000, NOISE).speech(17_000, SPEECH, NOISE));
      room.add(
          2,
          new Trace(seed + 1)
              .noise(1_000, NOISE)
              .speech(1_000, SPEECH, NOISE)
              .noise(8_000, NOISE)
              .constant(COUGH_MILLIS, COUGH)
              .noise(9_850, NOISE));
      room.run(20_000);

      assertThat(room.firstDominant(2, 0).millis()).as("seed %d", seed).isLessThan(2_000);
      assertThat(room.passes().get(99).holds(2)).as("seed %d", seed).isTrue();
      assertThat(room.firstDominant(2, 5_000)).as("seed %d", seed).isNull();
    }
  }

  @Test
  void noisePublishersAreNeverSelected() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(3, 7_000_000_000L, seed);
      for (int key = 1; key <= 8; key++) {
        room.add(key, new Trace(seed * 10L + key).noise(30_000, 10 * key)); // -10 .. -80 dBov
      }
      room.add(11, new Trace(seed).silence(30_000));
      room.add(12, new Trace(seed).unvoicedAt(30_000, SPEECH)); // loud, but V clear
      room.add(13, new Trace(seed).dtx(30_000, NOISE));
      room.run(30_000);

      assertThat(room.passes()).allSatisfy(pass -> assertThat(pass.keys()).containsOnly(NONE));
      assertThat(room.passes()).allSatisfy(pass -> assertThat(pass.dominant()).isEqualTo(NONE));
    }
  }

  @Test
  void noiseNextToASpeakerIsNeverSelected() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(3, 7_000_000_000L, seed);
      for (int key = 1; key <= 4; key++) {
        room.add(key, new Trace(seed * 10L + key).noise(30_000, 20 * key - 5));
      }
      room.add(9, new Trace(seed).noise(1_000, NOISE).speech(29_000, SPEECH, NOISE));
      room.run(30_000);

      for (int key = 1; key <= 4; key++) {
        assertThat(room.everHeld(key, 0, 30_000)).as("seed %d key %d", seed, key).isFalse();
      }
      assertThat(room.last().dominant()).isEqualTo(9);
    }
  }

  @Test
  void noiseThatStartsMidCallStopsCountingWithinTwoSeconds() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(3, 7_000_000_000L, seed);
      // Talks in a quiet room, then a fan 25 dB above the old noise runs for 20 s.
      room.add(1, new Trace(seed).speech(5_000, SPEECH, 70).noise(20_000, 45));
      room.run(25_000);

      long lastSpeaking = lastSpeakingMillis(room, 1);
      assertThat(lastSpeaking).as("seed %d", seed).isLessThan(5_000 + 2_000);
    }
  }

  @Test
  void silenceReleasesASlotOnlyAfterTheHoldTime() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(1, 7_000_000_000L, seed);
      room.add(1, new Trace(seed).speech(10_000, SPEECH, NOISE).noise(10_000, NOISE));
      room.add(2, new Trace(seed + 100).noise(3_000, NOISE).speech(17_000, SPEECH, NOISE));
      room.run(20_000);

      long lastSpeaking = lastSpeakingMillis(room, 1);
      Pass taken = room.firstHolding(2, 0);
      assertThat(taken.millis() - lastSpeaking)
          .as("seed %d", seed)
          .isGreaterThanOrEqualTo(SpeakerSelector.HOLD_MILLIS)
          // plus up to one pass, or the newcomer's own pause between phrases (at most 700 ms)
          .isLessThanOrEqualTo(SpeakerSelector.HOLD_MILLIS + 800);
      assertThat(room.changesBetween(3_000, 20_000)).as("seed %d", seed).isEqualTo(1);
    }
  }

  @Test
  void aSenderThatStopsSendingReleasesItsSlotAfterTheHoldTime() {
    SpeakerRoom room = new SpeakerRoom(1);
    room.add(1, new Trace(1).speech(5_000, SPEECH, NOISE).nothing(5_000));
    room.add(2, new Trace(2).noise(5_000, NOISE).speech(5_000, SPEECH, NOISE));
    room.run(10_000);

    long lastSpeaking = lastSpeakingMillis(room, 1);
    assertThat(room.firstHolding(2, 0).millis() - lastSpeaking)
        .isBetween(SpeakerSelector.HOLD_MILLIS, SpeakerSelector.HOLD_MILLIS + 800);
  }

  @Test
  void aQuietHolderKeepsItsSlotWhileNobodyElseSpeaks() {
    SpeakerRoom room = new SpeakerRoom(3);
    room.add(1, new Trace(1).speech(3_000, SPEECH, NOISE).noise(30_000, NOISE));
    room.add(2, new Trace(2).noise(33_000, NOISE));
    room.run(33_000);

    assertThat(room.last().keys()).containsExactly(1, NONE, NONE);
    assertThat(room.last().levels()).containsExactly(0, 0, 0);
    assertThat(room.last().dominant()).isEqualTo(1);
    assertThat(room.last().changes()).isOne();
  }

  @Test
  void theDominantSpeakerChangesWhenTheOtherTakesOver() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(3, 7_000_000_000L, seed);
      room.add(1, new Trace(seed).speech(10_000, SPEECH, NOISE).noise(10_000, NOISE));
      room.add(2, new Trace(seed + 100).noise(10_000, NOISE).speech(10_000, SPEECH, NOISE));
      room.run(20_000);

      long lastSpeaking = lastSpeakingMillis(room, 1);
      assertThat(room.firstDominant(1, 0).millis()).isLessThan(1_000);
      assertThat(room.firstHolding(2, 0).millis()).as("seed %d", seed).isBetween(10_000L, 10_300L);
      Pass takeover = room.firstDominant(2, 0);
      assertThat(takeover.millis() - lastSpeaking)
          .as("seed %d", seed)
          .isBetween(SpeakerSelector.HOLD_MILLIS, SpeakerSelector.HOLD_MILLIS + 800);
      assertThat(room.firstDominant(1, takeover.millis())).as("seed %d", seed).isNull();
      assertThat(room.last().keys()).as("both keep their slots").contains(1, 2);
    }
  }

  @Test
  void aClearlyLouderSpeakerTakesOverFromADominantWhoKeepsTalking() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(3, 7_000_000_000L, seed);
      room.add(1, new Trace(seed).speech(20_000, SPEECH, NOISE));
      room.add(2, new Trace(seed + 100).noise(10_000, NOISE).speech(10_000, LOUD_SPEECH, NOISE));
      room.run(20_000);

      Pass takeover = room.firstDominant(2, 0);
      assertThat(takeover.millis())
          .as("seed %d", seed)
          .isBetween(10_000 + SpeakerSelector.CHALLENGE_MILLIS, 14_000L);
      assertThat(room.firstDominant(1, takeover.millis())).as("seed %d", seed).isNull();
      assertThat(room.changesBetween(1_000, 20_000)).as("seed %d", seed).isEqualTo(2);
    }
  }

  @Test
  void aClearlyLouderChallengerReplacesTheQuietestTalkingHolderButNeverTheDominant() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SpeakerRoom room = new SpeakerRoom(2, 7_000_000_000L, seed);
      room.add(1, new Trace(seed).noise(500, NOISE).speech(19_500, SPEECH, NOISE));
      room.add(2, new Trace(seed + 1).noise(2_000, NOISE).speech(18_000, SPEECH + 4, NOISE));
      room.add(3, new Trace(seed + 2).noise(10_000, NOISE).speech(10_000, LOUD_SPEECH, NOISE));
      room.run(20_000);
      Pass settled = room.passes().get(99);
      assertThat(settled.keys()).as("seed %d", seed).containsExactly(1, 2);
      assertThat(settled.dominant()).isEqualTo(1);

      Pass taken = room.firstHolding(3, 0);
      assertThat(taken.millis())
          .as("seed %d", seed)
          .isBetween(10_000 + SpeakerSelector.CHALLENGE_MILLIS, 14_000L);
      assertThat(taken.keys()).as("seed %d: 2 was the quieter", seed).containsExactly(1, 3);
      assertThat(room.everHeld(2, taken.millis(), 20_000)).isFalse();
      assertThat(room.last().keys()).containsExactly(1, 3);
    }
  }

  @Test
  void aNewSpeakerReplacesTheLongestQuietHolderAndTheOthersKeepTheirSlots() {
    SpeakerRoom room = new SpeakerRoom(3);
    room.add(1, new Trace(1).noise(500, NOISE).speech(1_500, SPEECH, NOISE).noise(10_000, NOISE));
    room.add(2, new Trace(2).noise(2_000, NOISE).speech(2_000, SPEECH, NOISE).noise(8_000, NOISE));
    room.add(3, new Trace(3).noise(4_000, NOISE).speech(8_000, SPEECH, NOISE));
    room.add(4, new Trace(4).noise(7_000, NOISE).speech(5_000, SPEECH, NOISE));
    room.run(12_000);

    assertThat(room.passes().get(59).keys()).containsExactly(1, 2, 3);
    Pass taken = room.firstHolding(4, 0);
    assertThat(taken.keys()).containsExactly(4, 2, 3);
    assertThat(room.last().keys()).containsExactly(4, 2, 3);
  }

  @Test
  void aPublisherThatLeavesIsDroppedAtOnceAndTheOthersKeepTheirSlots() {
    SpeakerRoom room = new SpeakerRoom(3);
    SpeakerMeter first = room.add(1, new Trace(1).noise(100, NOISE).speech(10_000, SPEECH, NOISE));
    room.add(2, new Trace(2).noise(100, NOISE).speech(10_000, SPEECH, NOISE));
    room.add(3, new Trace(3).noise(100, NOISE).speech(10_000, SPEECH, NOISE));
    room.run(5_000);
    SpeakerSelector selector = room.selector;
    int slot = room.last().slotOf(1);
    int[] before = room.last().keys();
    long changes = selector.changes();

    assertThat(selector.remove(first)).isTrue();

    assertThat(selector.slotKey(slot)).isEqualTo(NONE);
    assertThat(selector.changes()).isEqualTo(changes + 1);
    assertThat(selector.publishers()).isEqualTo(2);
    for (int s = 0; s < 3; s++) {
      if (s != slot) {
        assertThat(selector.slotKey(s)).isEqualTo(before[s]);
      }
    }
    assertThat(selector.remove(first)).isFalse();
    room.run(200);
    List<Pass> passes = room.passes();
    assertThat(passes.get(passes.size() - 2).reported())
        .as("the removal, at the next pass")
        .isTrue();
    assertThat(room.last().reported()).isFalse();
  }

  @Test
  void mutingEmptiesTheSlotAtOnceAndKeepsThePublisherOut() {
    SpeakerRoom room = new SpeakerRoom(3);
    SpeakerMeter talker = room.add(1, new Trace(1).speech(20_000, SPEECH, NOISE));
    room.run(2_000);
    SpeakerSelector selector = room.selector;
    assertThat(selector.dominantKey()).isEqualTo(1);
    long changes = selector.changes();

    assertThat(selector.setMuted(talker, true)).isTrue();

    assertThat(selector.slotKey(0)).isEqualTo(NONE);
    assertThat(selector.dominantKey()).isEqualTo(NONE);
    assertThat(selector.dominantSlot()).isEqualTo(NONE);
    assertThat(selector.changes()).isEqualTo(changes + 1);
    assertThat(selector.setMuted(talker, true)).isFalse();
    room.run(5_000); // still sending speech: a client that mutes late, or a lying one
    assertThat(room.everHeld(1, 2_001, 7_000)).isFalse();

    assertThat(selector.setMuted(talker, false)).isFalse();
    room.run(1_000);
    assertThat(room.firstDominant(1, 7_000).millis()).isBetween(7_100L, 8_000L);
  }

  @Test
  void sameTracesGiveIdenticalOutputWhateverTheClockOrigin() {
    List<Pass> first = busyRoom(7_000_000_000L).passes();
    List<Pass> second = busyRoom(7_000_000_000L).passes();
    List<Pass> negativeClock = busyRoom(-3_000_000_000_000L).passes();

    assertThat(second).isEqualTo(first);
    assertThat(negativeClock).isEqualTo(first);
    assertThat(first.get(first.size() - 1).changes()).isGreaterThan(5);
  }

  @Test
  void selectReportsEveryChangeOnce() {
    SpeakerSelector selector = new SpeakerSelector(1);
    SpeakerMeter meter = selector.add(7);
    long now = 0;
    for (int i = 0; i < 10; i++) {
      meter.onAudioLevel(i % 2 == 0 ? 80 : 30, true, now);
      now += 20_000_000L;
    }

    assertThat(selector.select(now)).isTrue();
    assertThat(selector.slotKey(0)).isEqualTo(7);
    assertThat(selector.slotLevel(0)).isGreaterThanOrEqualTo(8);
    assertThat(selector.dominantKey()).isEqualTo(7);
    assertThat(selector.dominantSlot()).isZero();
    assertThat(selector.changes()).isOne();
    assertThat(selector.select(now + 100_000_000L)).isFalse();
    assertThat(selector.changes()).isOne();
  }

  @Test
  void slotsKeysAndMetersAreValidated() {
    assertThat(new SpeakerSelector().slots()).isEqualTo(SpeakerSelector.DEFAULT_SLOTS).isEqualTo(3);
    assertThat(new SpeakerSelector(SpeakerSelector.MAX_SLOTS).slots()).isEqualTo(8);
    assertThatThrownBy(() -> new SpeakerSelector(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SpeakerSelector(9)).isInstanceOf(IllegalArgumentException.class);

    SpeakerSelector selector = new SpeakerSelector();
    SpeakerMeter meter = selector.add(5);
    assertThat(meter.key()).isEqualTo(5);
    assertThatThrownBy(() -> selector.add(5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> selector.add(NONE)).isInstanceOf(IllegalArgumentException.class);

    SpeakerMeter foreign = new SpeakerSelector().add(6);
    assertThat(selector.remove(foreign)).isFalse();
    assertThat(selector.setMuted(foreign, true)).isFalse();
    assertThat(selector.remove(meter)).as("held no slot: no output change").isFalse();
    assertThat(selector.publishers()).isZero();
    assertThat(selector.add(5).key()).as("a key can come back after leaving").isEqualTo(5);
  }

  @Test
  void manyJoinsAndLeavesReuseIndices() {
    SpeakerSelector selector = new SpeakerSelector();
    SpeakerMeter[] meters = new SpeakerMeter[100];
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < meters.length; i++) {
        meters[i] = selector.add(round * 1_000 + i);
      }
      assertThat(selector.publishers()).isEqualTo(100);
      selector.select(round);
      for (SpeakerMeter meter : meters) {
        assertThat(selector.remove(meter)).isFalse();
      }
    }
    assertThat(selector.publishers()).isZero();
    assertThat(meters[99].index()).isLessThan(100);
  }

  /** Ten publishers, talkers taking turns and talking over each other, noise, a mute, a cough. */
  private static SpeakerRoom busyRoom(long startNanos) {
    SpeakerRoom room = new SpeakerRoom(3, startNanos, 5);
    for (int key = 1; key <= 6; key++) {
      Trace trace = new Trace(key);
      for (int turn = 0; turn < 6; turn++) {
        if ((turn + key) % 3 == 0) {
          trace.speech(4_000 + key * 300L, SPEECH - key, NOISE);
        } else {
          trace.noise(2_000 + key * 500L, NOISE);
        }
      }
      room.add(key, trace);
    }
    room.add(7, new Trace(7).noise(30_000, 40));
    room.add(8, new Trace(8).dtx(30_000, NOISE));
    room.add(
        9, new Trace(9).noise(12_000, NOISE).constant(COUGH_MILLIS, COUGH).noise(18_000, NOISE));
    SpeakerMeter muted = room.add(10, new Trace(10).speech(30_000, LOUD_SPEECH, NOISE));
    room.run(15_000);
    room.selector.setMuted(muted, true);
    room.run(15_000);
    return room;
  }

  /** The last pass at which {@code key} held a slot with a level that means speaking. */
  private static long lastSpeakingMillis(SpeakerRoom room, int key) {
    long last = -1;
    for (Pass pass : room.passes()) {
      int slot = pass.slotOf(key);
      if (slot != NONE && pass.levels()[slot] >= SpeakerSelector.SPEAKING_DB) {
        last = pass.millis();
      }
    }
    return last;
  }
}
