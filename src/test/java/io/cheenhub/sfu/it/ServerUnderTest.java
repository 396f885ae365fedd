package io.cheenhub.sfu.it;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The WAR exactly as `mvn package` built it, and small HTTP helpers against the running server. */
final class ServerUnderTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ServerUnderTest() {}

  /** The packaged WAR, deployed unchanged. */
  static WebArchive war() {
    return ShrinkWrap.create(ZipImporter.class, "cheenhub-sfu.war")
        .importFrom(new File(System.getProperty("sfu.war", "target/cheenhub-sfu.war")))
        .as(WebArchive.class);
  }

  static URI webSocket(URI base) {
    return URI.create(base.toString().replaceFirst("^http", "ws")).resolve("ws");
  }

  static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The value of one application metric series in the Prometheus text, or NaN if absent. */
  static double metric(URI base, String name, String labels) throws Exception {
    return metric(base, "application", name, labels);
  }

  /** The value of one series of {@code scope} (application, base, vendor), or NaN if absent. */
  static double metric(URI base, String scope, String name, String labels) throws Exception {
    String body = get(base.resolve("/metrics?scope=" + scope)).body();
    Pattern line =
        Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    Matcher m = line.matcher(body);
    while (m.find()) {
      if (labels.isEmpty() || m.group(1).contains(labels)) {
        return Double.parseDouble(m.group(2));
      }
    }
    return Double.NaN;
  }
}
