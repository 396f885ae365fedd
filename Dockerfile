# The SFU on Payara Micro: docker build -t cheenhub-sfu . (after `mvn package`, which makes the WAR).
# docs/deployment.md "Containers" explains the ports and the settings.
FROM payara/micro:6.2025.10-jdk17

# The WAR deploys unchanged; the context root is / as in the README's run command.
COPY --chown=payara:payara target/cheenhub-sfu.war /opt/payara/deployments/cheenhub-sfu.war
COPY --chown=payara:payara payara/pre-boot-commands.asadmin /opt/payara/pre-boot-commands.asadmin

# 8080 HTTP (page, /ws, /metrics, /health), 8443 HTTPS/WSS (Payara's SSL listener), 10000/udp media
# (sfu.media.port: the single ICE/DTLS/SRTP port every participant uses).
EXPOSE 8080 8443 10000/udp

# Settings are MicroProfile Config keys and can come from the environment (SFU_MEDIA_PORT=10000,
# SFU_TURN_SECRET=..., see docs/deployment.md); these are the container's defaults.
ENV SFU_MEDIA_PORT=10000

# The image's entry point runs java ${JVM_ARGS} -jar payara-micro.jar; the first option is the
# image's own default. The performance counters are sampled once a second instead of 20 times
# (docs/benchmarks.md "Idle and fixed cost").
ENV JVM_ARGS="-Djdk.util.zip.disableZip64ExtraFieldValidation=true -XX:PerfDataSamplingInterval=1000"

# /health/ready is MicroProfile Health's readiness (media socket bound, not draining, admission).
HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/health/ready || exit 1

# One node without the Data Grid (Hazelcast): docs/deployment.md "Data Grid" says how to turn it on.
CMD ["--deploy", "/opt/payara/deployments/cheenhub-sfu.war", "--contextroot", "/", \
     "--port", "8080", "--sslport", "8443", "--nohazelcast", "--disablephonehome", \
     "--prebootcommandfile", "/opt/payara/pre-boot-commands.asadmin"]
