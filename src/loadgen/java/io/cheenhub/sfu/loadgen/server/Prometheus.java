package io.cheenhub.sfu.loadgen.server;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The few reads of Prometheus text exposition the probe needs: sum a metric, by label. A series
 * printed twice counts once: Payara Micro 6.2025.10 repeats its base metrics ({@code
 * memory_usedHeap_bytes}, {@code gc_total}, {@code thread_count}, …) at the end of a scrape, which
 * summed doubled the heap and GC figures.
 */
final class Prometheus {

  private record Line(String name, String labels, double value) {}

  private final List<Line> lines = new ArrayList<>();

  Prometheus(String text) {
    Set<String> seen = new HashSet<>();
    for (String raw : text.split("\n")) {
      String line = raw.trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      if (space < 0) {
        continue;
      }
      String name;
      String labels;
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        labels = line.substring(brace, line.lastIndexOf('}') + 1);
      } else {
        name = line.substring(0, space);
        labels = "";
      }
      if (!seen.add(name + labels)) {
        continue; // the first reading of a series wins
      }
      try {
        lines.add(new Line(name, labels, Double.parseDouble(line.substring(space + 1))));
      } catch (NumberFormatException e) {
        // NaN and friends we do not need
      }
    }
  }

  /** Sum of every series of {@code name} whose labels contain {@code labelPart}; -1 if none. */
  double sum(String name, String labelPart) {
    double sum = 0;
    boolean found = false;
    for (Line line : lines) {
      if (line.name.equals(name) && line.labels.contains(labelPart)) {
        sum += line.value;
        found = true;
      }
    }
    return found ? sum : -1;
  }

  /** Every series of {@code name}: the value of {@code label} → value. */
  java.util.Map<String, Long> byLabel(String name, String label) {
    var values = new java.util.TreeMap<String, Long>();
    String key = label + "=\"";
    for (Line line : lines) {
      int at = line.labels.indexOf(key);
      if (line.name.equals(name) && at >= 0) {
        int from = at + key.length();
        values.merge(
            line.labels.substring(from, line.labels.indexOf('"', from)),
            (long) line.value,
            Long::sum);
      }
    }
    return values;
  }
}
