package io.cheenhub.sfu.loadgen.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a process holds open, read from a /proc tree (proc(5)): its threads ({@code status} {@code
 * Threads:}), file descriptors ({@code fd/} entries) and how many of those are UDP sockets
 * (descriptors linking to {@code socket:[inode]} whose inode is in the process's own {@code
 * net/udp} or {@code net/udp6}). A leak of any of them shows in a long run before it hurts.
 */
public record OpenResources(long threads, long openFiles, long udpSockets) {

  /** Nothing known (no local process to read). */
  public static final OpenResources UNKNOWN = new OpenResources(-1, -1, -1);

  /**
   * Columns of /proc/net/udp: sl, local, remote, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode.
   */
  private static final int UDP_INODE_COLUMN = 9;

  /**
   * Reads process {@code pid} under {@code procRoot} ({@code /proc}, or a test's copy of its
   * layout). The socket tables are the process's own ({@code <pid>/net/...}), so a server in
   * another network namespace is counted in its own.
   */
  public static OpenResources read(Path procRoot, long pid) throws IOException {
    Path process = procRoot.resolve(Long.toString(pid));
    long threads = threads(Files.readString(process.resolve("status")));
    Set<String> udpInodes = new HashSet<>();
    for (String table : List.of("udp", "udp6")) {
      Path path = process.resolve("net").resolve(table);
      if (Files.exists(path)) {
        udpInodes.addAll(udpInodes(Files.readString(path)));
      }
    }
    long openFiles = 0;
    long udpSockets = 0;
    try (Stream<Path> fds = Files.list(process.resolve("fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        openFiles++;
        try {
          String inode = socketInode(Files.readSymbolicLink(fd).toString());
          if (inode != null && udpInodes.contains(inode)) {
            udpSockets++;
          }
        } catch (IOException e) {
          // closed while we looked: still counted as open when listed
        }
      }
    }
    return new OpenResources(threads, openFiles, udpSockets);
  }

  /** The {@code Threads:} value of a {@code /proc/<pid>/status} text; -1 if absent. */
  static long threads(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("Threads:")) {
        return Long.parseLong(line.substring("Threads:".length()).trim());
      }
    }
    return -1;
  }

  /** The inode of an fd link target {@code socket:[12345]}; null for anything else. */
  static String socketInode(String linkTarget) {
    if (linkTarget.startsWith("socket:[") && linkTarget.endsWith("]")) {
      return linkTarget.substring("socket:[".length(), linkTarget.length() - 1);
    }
    return null;
  }

  /** The socket inodes of a {@code /proc/net/udp} or {@code udp6} table (header line skipped). */
  static Set<String> udpInodes(String table) {
    Set<String> inodes = new HashSet<>();
    String[] lines = table.split("\n");
    for (int i = 1; i < lines.length; i++) {
      String[] columns = lines[i].trim().split("\\s+");
      if (columns.length > UDP_INODE_COLUMN && !columns[UDP_INODE_COLUMN].equals("0")) {
        inodes.add(columns[UDP_INODE_COLUMN]);
      }
    }
    return inodes;
  }
}
