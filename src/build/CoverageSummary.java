import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints the line coverage of the core packages from JaCoCo's CSV report, one line per package.
 *
 * <p>Run by the build (exec-maven-plugin, test phase) as a single-file source program: {@code java
 * CoverageSummary.java target/site/jacoco/jacoco.csv io.cheenhub.sfu.rtp ...}. Each prefix selects
 * the package and its subpackages. Only prints: the floor is JaCoCo's {@code check} goal.
 */
public class CoverageSummary {

  // jacoco.csv columns: GROUP,PACKAGE,CLASS,INSTRUCTION_MISSED,INSTRUCTION_COVERED,
  // BRANCH_MISSED,BRANCH_COVERED,LINE_MISSED,LINE_COVERED,...
  private static final int PACKAGE = 1;
  private static final int LINE_MISSED = 7;
  private static final int LINE_COVERED = 8;

  public static void main(String[] args) throws IOException {
    var csv = Path.of(args[0]);
    if (!Files.exists(csv)) {
      // No tests ran (-DskipTests): JaCoCo skips the report, so there is nothing to print.
      System.out.println("coverage: no report at " + csv);
      return;
    }
    List<String> prefixes = List.of(args).subList(1, args.length);
    // In the order of the prefixes, then by name: a package before its subpackages.
    Comparator<String> order =
        Comparator.<String>comparingInt(pkg -> prefixIndex(prefixes, pkg))
            .thenComparing(Comparator.naturalOrder());
    Map<String, long[]> lines = new TreeMap<>(order); // package -> {missed, covered}
    List<String> rows = Files.readAllLines(csv);
    for (String row : rows.subList(1, rows.size())) {
      String[] cells = row.split(",");
      String pkg = cells[PACKAGE];
      if (prefixIndex(prefixes, pkg) < prefixes.size()) {
        long[] sum = lines.computeIfAbsent(pkg, k -> new long[2]);
        sum[0] += Long.parseLong(cells[LINE_MISSED]);
        sum[1] += Long.parseLong(cells[LINE_COVERED]);
      }
    }
    lines.forEach(
        (pkg, sum) -> {
          long total = sum[0] + sum[1];
          System.out.printf(
              Locale.ROOT,
              "coverage %s lines %.1f %% (%d/%d)%n",
              pkg,
              total == 0 ? 0.0 : 100.0 * sum[1] / total,
              sum[1],
              total);
        });
  }

  /** The index of the first prefix that selects {@code pkg}, or {@code prefixes.size()} if none. */
  private static int prefixIndex(List<String> prefixes, String pkg) {
    for (int i = 0; i < prefixes.size(); i++) {
      String p = prefixes.get(i);
      if (pkg.equals(p) || pkg.startsWith(p + ".")) {
        return i;
      }
    }
    return prefixes.size();
  }
}
