package io.cheenhub.sfu.signaling;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs an action when the process gets SIGTERM, <em>before</em> the JVM starts shutting down, and
 * then exits with 143 as the JVM's own handler would.
 *
 * <p>Why not a shutdown hook: the JVM starts all hooks at once, and Payara Micro's hook undeploys
 * the application (closing WebSockets, destroying beans, resetting logging) while ours would still
 * be moving rooms and telling clients where to go. Seen in ClusterIT: the instance stopped within
 * the same second and its clients got no {@code redirect}. Catching the signal itself orders the
 * two: the drain finishes (or runs out of its time) and only then does the shutdown begin.
 *
 * <p>{@code sun.misc.Signal} (module {@code jdk.unsupported}, kept for exactly this) is reached
 * reflectively: javac's warning on proprietary API cannot be suppressed and the build treats
 * warnings as errors. Where it is missing, {@link #install} returns null and the caller keeps its
 * shutdown hook as the only path.
 */
final class TermSignal implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(TermSignal.class.getName());

  /** 128 + 15: what a shell reports for a process ended by SIGTERM. */
  static final int EXIT_STATUS = 143;

  private final Method handle;
  private final Object signal;
  private final Object previous;

  private TermSignal(Method handle, Object signal, Object previous) {
    this.handle = handle;
    this.signal = signal;
    this.previous = previous;
  }

  /**
   * Installs {@code onTerm} as the SIGTERM handler. After it returns (or throws), the process exits
   * with {@link #EXIT_STATUS}, which runs the JVM's shutdown hooks as usual.
   *
   * @return the installation, to be closed when the application stops, or null if this JVM does not
   *     let an application handle signals
   */
  static TermSignal install(Runnable onTerm) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object signal = signalClass.getConstructor(String.class).newInstance("TERM");
      Object handler =
          Proxy.newProxyInstance(
              TermSignal.class.getClassLoader(),
              new Class<?>[] {handlerClass},
              (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                  try {
                    onTerm.run();
                  } catch (RuntimeException | LinkageError e) {
                    LOG.log(Level.WARNING, "SIGTERM: drain failed, exiting anyway", e);
                  } finally {
                    Runtime.getRuntime().exit(EXIT_STATUS);
                  }
                  return null;
                }
                return switch (method.getName()) {
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> "TermSignal";
                };
              });
      Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      Object previous = handle.invoke(null, signal, handler);
      return new TermSignal(handle, signal, previous);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.log(Level.INFO, "SIGTERM cannot be handled here; the shutdown hook drains", e);
      return null;
    }
  }

  /** Gives SIGTERM back to whoever had it (an undeploy must not leave this class loader there). */
  @Override
  public void close() {
    try {
      handle.invoke(null, signal, previous);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.log(Level.WARNING, "could not restore the SIGTERM handler", e);
    }
  }
}
