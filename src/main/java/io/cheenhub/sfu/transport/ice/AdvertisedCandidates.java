package io.cheenhub.sfu.transport.ice;

import java.util.ArrayList;
import java.util.List;

/**
 * Host candidates for addresses the operator configured instead of the bound ones: the public
 * address of a NAT or static port mapping, or, in tests, an impairment relay in front of the port.
 */
public final class AdvertisedCandidates {

  /** RFC 8445 §5.1.2.1: type preference of host candidates. */
  private static final long HOST_TYPE_PREFERENCE = 126;

  /** RFC 8445 §5.1.2.1: highest local preference; later addresses get one less each. */
  private static final long MAX_LOCAL_PREFERENCE = 65_535;

  /** Component 1 (RTP; rtcp-mux carries RTCP too): 256 − 1. */
  private static final long COMPONENT_PRIORITY = 255;

  private AdvertisedCandidates() {}

  /**
   * One {@code a=candidate} value (without the {@code candidate:} prefix) per address, in the given
   * order of preference.
   *
   * @param addresses {@code host}, {@code host:port}, or {@code [v6]:port}
   * @param boundPort the port used for addresses that name none
   */
  public static List<String> lines(List<String> addresses, int boundPort) {
    List<String> lines = new ArrayList<>(addresses.size());
    int foundation = 1;
    for (String address : addresses) {
      String host = address;
      String port = String.valueOf(boundPort);
      if (address.startsWith("[")) {
        int end = address.indexOf(']');
        host = address.substring(1, end);
        if (address.length() > end + 2 && address.charAt(end + 1) == ':') {
          port = address.substring(end + 2);
        }
      } else if (address.indexOf(':') > 0 && address.indexOf(':') == address.lastIndexOf(':')) {
        host = address.substring(0, address.indexOf(':'));
        port = address.substring(address.indexOf(':') + 1);
      }
      int portNumber = Integer.parseInt(port);
      if (portNumber < 1 || portNumber > 65_535 || host.isBlank() || host.startsWith(":")) {
        throw new IllegalArgumentException("not host[:port]: " + address);
      }
      long priority =
          (HOST_TYPE_PREFERENCE << 24)
              | ((MAX_LOCAL_PREFERENCE - foundation + 1) << 8)
              | COMPONENT_PRIORITY;
      lines.add(foundation + " 1 udp " + priority + " " + host + " " + portNumber + " typ host");
      foundation++;
    }
    return lines;
  }
}
