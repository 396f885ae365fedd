package io.cheenhub.sfu.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RedirectTicketTest {

  private final RedirectTicket tickets =
      new RedirectTicket("a-cluster-secret-of-at-least-32-bytes!".getBytes(StandardCharsets.UTF_8));
  private final long now = 1_700_000_000_000L;

  @Test
  void aTicketIsGoodForItsRoomAndTargetUntilItExpires() {
    String ticket = tickets.issue("standup", "sfu-b", now + 30_000);
    assertThat(tickets.verify(ticket, "standup", "sfu-b", now)).isTrue();
    assertThat(tickets.verify(ticket, "standup", "sfu-b", now + 30_000)).isTrue();
    assertThat(tickets.verify(ticket, "standup", "sfu-b", now + 30_001)).as("expired").isFalse();
    assertThat(tickets.verify(ticket, "other", "sfu-b", now)).as("another room").isFalse();
    assertThat(tickets.verify(ticket, "standup", "sfu-c", now)).as("another target").isFalse();
  }

  @Test
  void forgedOrMangledTicketsAreRefused() {
    String ticket = tickets.issue("standup", "sfu-b", now + 30_000);
    var other = new RedirectTicket("another-secret-another-secret-32b".getBytes());
    assertThat(other.verify(ticket, "standup", "sfu-b", now)).isFalse();
    String later = (now + 31_000) + ticket.substring(ticket.indexOf('.'));
    assertThat(tickets.verify(later, "standup", "sfu-b", now)).as("expiry changed").isFalse();
    String farFuture = tickets.issue("standup", "sfu-b", now + 3_600_000);
    assertThat(tickets.verify(farFuture, "standup", "sfu-b", now)).as("too long-lived").isFalse();
    for (String junk :
        new String[] {null, "", ".", "x.y", "123", "123.", "12.%%%", "9".repeat(30) + ".aa"}) {
      assertThat(tickets.verify(junk, "standup", "sfu-b", now)).as(String.valueOf(junk)).isFalse();
    }
  }

  @Test
  void roomAndTargetCannotBeShiftedIntoEachOther() {
    String ticket = tickets.issue("ab", "c", now + 1_000);
    assertThat(tickets.verify(ticket, "a", "bc", now)).isFalse();
  }
}
