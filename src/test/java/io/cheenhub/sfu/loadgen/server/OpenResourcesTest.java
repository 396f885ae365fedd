package io.cheenhub.sfu.loadgen.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Threads, descriptors and UDP sockets of a process, from a copy of the /proc layout. */
class OpenResourcesTest {

  private static final String STATUS =
      """
      Name:\tjava
      State:\tS (sleeping)
      Tgid:\t4242
      VmRSS:\t 1048576 kB
      Threads:\t187
      SigQ:\t0/94000
      """;

  // Two IPv4 UDP sockets (inodes 5001, 5002) and one that is not ours (9999), as the kernel
  // writes them: sl, local, remote, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode, ...
  private static final String UDP =
      """
         sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
         57: 0100007F:2710 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 5001 2 00000000394a6b8c 0
         58: 0100007F:2711 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 5002 2 00000000394a6b8d 0
         59: 0100007F:2712 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 9999 2 00000000394a6b8e 0
      """;

  private static final String UDP6 =
      """
        sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
       517: 0000000000000000FFFF00000100007F:AD4B 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 6001 2 00000000fba48418 0
      """;

  @Test
  void countsThreadsDescriptorsAndTheUdpSocketsAmongThem(@TempDir Path proc) throws Exception {
    Path process = proc.resolve("4242");
    Files.createDirectories(process.resolve("fd"));
    Files.createDirectories(process.resolve("net"));
    Files.writeString(process.resolve("status"), STATUS);
    Files.writeString(process.resolve("net/udp"), UDP);
    Files.writeString(process.resolve("net/udp6"), UDP6);
    link(process, 0, "/dev/null");
    link(process, 1, "pipe:[1234]");
    link(process, 2, "/var/log/payara.log");
    link(process, 3, "socket:[5001]"); // UDP
    link(process, 4, "socket:[5002]"); // UDP
    link(process, 5, "socket:[6001]"); // UDP over IPv6
    link(process, 6, "socket:[7001]"); // TCP: in no UDP table
    link(process, 7, "anon_inode:[eventpoll]");

    var resources = OpenResources.read(proc, 4242);

    assertThat(resources).isEqualTo(new OpenResources(187, 8, 3));
  }

  @Test
  void withoutUdp6TableOnlyIpv4Counts(@TempDir Path proc) throws Exception {
    Path process = proc.resolve("7");
    Files.createDirectories(process.resolve("fd"));
    Files.createDirectories(process.resolve("net"));
    Files.writeString(process.resolve("status"), "Threads:\t3\n");
    Files.writeString(process.resolve("net/udp"), UDP);
    link(process, 0, "socket:[5001]");
    link(process, 1, "socket:[6001]");

    assertThat(OpenResources.read(proc, 7)).isEqualTo(new OpenResources(3, 2, 1));
  }

  @Test
  void parsesTheLinesItNeeds() {
    assertThat(OpenResources.threads(STATUS)).isEqualTo(187);
    assertThat(OpenResources.threads("Name:\tx\n")).isEqualTo(-1);
    assertThat(OpenResources.socketInode("socket:[5001]")).isEqualTo("5001");
    assertThat(OpenResources.socketInode("/tmp/socket:[1]")).isNull();
    assertThat(OpenResources.socketInode("anon_inode:[eventpoll]")).isNull();
    assertThat(OpenResources.udpInodes(UDP)).containsExactlyInAnyOrder("5001", "5002", "9999");
    assertThat(OpenResources.udpInodes(UDP6)).containsExactly("6001");
  }

  private static void link(Path process, int fd, String target) throws Exception {
    Files.createSymbolicLink(process.resolve("fd").resolve(Integer.toString(fd)), Path.of(target));
  }
}
