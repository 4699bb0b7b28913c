package dev.driftless.gateway;

import io.vertx.core.MultiMap;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Copies end-to-end headers only: hop-by-hop ones (RFC 9110 §7.6.1) belong to one connection. */
final class HopByHop {
    private static final Set<String> ALWAYS = Set.of(
            "connection", "keep-alive", "te", "trailer", "trailers", "transfer-encoding", "upgrade");

    private HopByHop() { }

    /** Copies {@code from} into {@code to}, minus hop-by-hop headers and those in {@code skip} (lower case). */
    static void copy(MultiMap from, MultiMap to, Set<String> skip) {
        Set<String> named = new HashSet<>();
        for (String value : from.getAll("Connection")) {
            for (String token : value.split(",")) {
                named.add(token.trim().toLowerCase(Locale.ROOT));
            }
        }
        for (Map.Entry<String, String> header : from) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (ALWAYS.contains(name) || name.startsWith("proxy-") || named.contains(name) || skip.contains(name)) {
                continue;
            }
            to.add(header.getKey(), header.getValue());
        }
    }
}
