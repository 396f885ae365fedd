package io.cheenhub.sfu.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * Real embedded Data Grid members for the cluster tests, as Payara Micro runs them with {@code
 * --clustermode tcpip} on loopback: no multicast, no phone-home, members found at {@code
 * 127.0.0.1:basePort} and the ports after it.
 */
final class TestGrid {

  private TestGrid() {}

  /** A new member of cluster {@code clusterName} (unique per test, so tests never merge). */
  static HazelcastInstance member(String clusterName, int basePort) {
    Config config = new Config();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "none");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    var network = config.getNetworkConfig();
    network.setPort(basePort).setPortAutoIncrement(true);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    var join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + basePort);
    return Hazelcast.newHazelcastInstance(config);
  }
}
