package io.cheenhub.sfu.api;

import io.cheenhub.sfu.signaling.SignalingService;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * {@code POST /api/drain}: takes this server out of service without stopping it (a Kubernetes
 * {@code preStop} hook, a rolling upgrade): readiness goes down, new joins get {@code draining},
 * every client is told to reconnect and its socket closed with 1012 (docs/runbook.md). There is no
 * undrain: restart the server to serve again.
 *
 * <p>Only from the server's own host (loopback): an operator or a sidecar on the node may drain it,
 * a browser on the internet may not. Answers 403 otherwise.
 */
@Path("drain")
@RequestScoped
public class DrainResource {

  /** What the drain did: connections told to reconnect (0 when it was already draining). */
  public record DrainResult(boolean draining, int connectionsDrained) {}

  @Inject SignalingService signaling;

  @Context HttpServletRequest request;

  @POST
  @Produces(MediaType.APPLICATION_JSON)
  public Response drain() {
    if (!fromLoopback(request.getRemoteAddr())) {
      return Response.status(Response.Status.FORBIDDEN)
          .entity(new DrainResult(signaling.isDraining(), 0))
          .build();
    }
    int drained = signaling.drain("admin");
    return Response.ok(new DrainResult(true, drained)).build();
  }

  static boolean fromLoopback(String address) {
    try {
      return address != null
          && !address.isBlank()
          && InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
