/**
 * Scale-out on the Payara Data Grid (docs/deployment.md, "Cluster"): which instance holds which
 * room, each instance's load, the redirect of a join to the room's instance, and re-placement when
 * an instance dies or drains. Grid state is JSON strings in two Hazelcast maps, so instances of
 * different versions can read each other.
 */
package io.cheenhub.sfu.cluster;
