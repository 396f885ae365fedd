package io.cheenhub.sfu.signaling;

import io.cheenhub.sfu.config.AuthSettings;
import io.cheenhub.sfu.config.ClusterSettings;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Logger;

/**
 * Refuses the signaling handshake with HTTP 403 when its {@code Origin} is not allowed ({@code
 * sfu.signaling.allowed-origins}, see {@link OriginPolicy}).
 *
 * <p>A servlet filter rather than {@code ServerEndpointConfig.Configurator.checkOrigin}: that hook
 * sees only the {@code Origin} value, while the same-origin default (anonymous servers only)
 * compares it with the {@code Host} the request arrived on. The container's WebSocket upgrade
 * filter is registered after the application's filters, so this one runs first.
 */
@WebFilter(urlPatterns = "/ws", asyncSupported = true)
public class OriginFilter extends HttpFilter {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = Logger.getLogger(OriginFilter.class.getName());

  @Inject AuthSettings settings;
  @Inject ClusterSettings cluster;

  private transient OriginPolicy policy;

  @Override
  public void init() {
    policy = new OriginPolicy(settings.allowedOrigins(), settings.anonymous());
    if (!settings.anonymous() && settings.allowedOrigins().isEmpty()) {
      LOG.severe(
          "tokens are required (sfu.auth.anonymous=false) but sfu.signaling.allowed-origins is"
              + " not set: every browser page is refused at /ws, this server's own web client"
              + " included; list the origins pages are loaded from");
    } else if (cluster.enabled() && settings.allowedOrigins().isEmpty()) {
      LOG.warning(
          "cluster mode with sfu.signaling.allowed-origins not set: only pages loaded from this"
              + " instance's own origin may open /ws, so a page loaded through the load balancer"
              + " or another instance is refused (403) when a redirect sends it here; list the"
              + " origins pages are loaded from");
    }
  }

  @Override
  protected void doFilter(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String origin = request.getHeader("Origin");
    if (!policy.allows(origin, request.getHeader("Host"))) {
      LOG.info(() -> "signaling handshake refused origin=" + origin + " status=403");
      response.sendError(
          HttpServletResponse.SC_FORBIDDEN,
          "origin not allowed: see sfu.signaling.allowed-origins");
      return;
    }
    chain.doFilter(request, response);
  }
}
