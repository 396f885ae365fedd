package io.cheenhub.sfu.api;

import io.cheenhub.sfu.auth.AuthException;
import io.cheenhub.sfu.auth.AuthFailure;
import io.cheenhub.sfu.auth.Authenticator;
import io.cheenhub.sfu.signaling.ErrorCode;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Lets only operators use {@code /api} where tokens are required ({@code
 * sfu.auth.anonymous=false}): every request needs {@code Authorization: Bearer} with a token that
 * {@link Authenticator#authenticateOperator} accepts. No token or a bad one gets 401 (RFC 6750 §3),
 * a valid token without the {@code operator} permission 403. With anonymous joins the API stays
 * open.
 *
 * <p>Pre-matching, so it covers every resource under {@code /api}, unknown paths included, before
 * any of them runs. {@code /health} and {@code /metrics} are Payara's, outside the JAX-RS
 * application, and not affected.
 */
@Provider
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class OperatorFilter implements ContainerRequestFilter {

  private static final Logger LOG = Logger.getLogger(OperatorFilter.class.getName());

  /** The {@code WWW-Authenticate} challenge's realm. */
  private static final String REALM = "cheenhub-sfu";

  @Inject Authenticator authenticator;

  @Override
  public void filter(ContainerRequestContext request) {
    try {
      authenticator.authenticateOperator(
          bearerToken(request.getHeaderString(HttpHeaders.AUTHORIZATION)));
    } catch (AuthException e) {
      LOG.info(
          () ->
              "api request refused path="
                  + request.getUriInfo().getRequestUri().getPath()
                  + " reason="
                  + e.failure().name().toLowerCase(Locale.ROOT));
      request.abortWith(refusal(e));
    } catch (IllegalStateException e) {
      // No key, or the identity provider unreachable before any key was read: not the caller's
      // fault, and nothing is let through.
      LOG.warning(() -> "api request refused: cannot verify tokens error=" + e.getMessage());
      request.abortWith(
          error(
                  Response.Status.SERVICE_UNAVAILABLE,
                  "auth-unavailable",
                  "the server cannot verify tokens now")
              .build());
    }
  }

  /**
   * The token of an {@code Authorization: Bearer <token>} header (RFC 6750 §2.1; the scheme is
   * case-insensitive, RFC 9110 §11.1), or null for none or another scheme.
   */
  static String bearerToken(String authorization) {
    if (authorization == null) {
      return null;
    }
    String value = authorization.strip();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
      return null;
    }
    String token = value.substring(space + 1).strip();
    return token.isEmpty() ? null : token;
  }

  /** 401 with a Bearer challenge, or 403 for a valid token without the permission. */
  static Response refusal(AuthException e) {
    ErrorCode code = ErrorCode.of(e.failure());
    // RFC 6750 §3.1: no error attribute when the request carried no token at all.
    String challenge =
        switch (e.failure()) {
          case REQUIRED -> "Bearer realm=\"" + REALM + "\"";
          case INVALID, EXPIRED -> "Bearer realm=\"" + REALM + "\", error=\"invalid_token\"";
          case FORBIDDEN -> "Bearer realm=\"" + REALM + "\", error=\"insufficient_scope\"";
        };
    Response.Status status =
        e.failure() == AuthFailure.FORBIDDEN
            ? Response.Status.FORBIDDEN
            : Response.Status.UNAUTHORIZED;
    return error(status, code.wireValue(), e.getMessage())
        .header(HttpHeaders.WWW_AUTHENTICATE, challenge)
        .build();
  }

  private static Response.ResponseBuilder error(
      Response.Status status, String code, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(new RoomsResource.ApiError(code, message));
  }
}
