package dev.driftless.gateway;

import io.vertx.core.MultiMap;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Copies end-to-end headers only: hop-by-hop ones (RFC 9110 §7.6.1) belong to one connection. */
final class HopByHop {
    private static final Set<String> ALWAYS = names(
            "connection", "keep-alive", "te", "trailer", "trailers", "transfer-encoding", "upgrade");

    private HopByHop() { }

    /** A case-insensitive set of header names: looked up per header without lower-casing each name. */
    static Set<String> names(String... names) {
        Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        set.addAll(Arrays.asList(names));
        return Collections.unmodifiableSet(set);
    }

    /** Copies {@code from} into {@code to}, minus hop-by-hop headers and those in {@code skip} (from {@link #names}). */
    static void copy(MultiMap from, MultiMap to, Set<String> skip) {
        Set<String> named = Set.of();
        if (from.contains("Connection")) { // rare on keep-alive HTTP/1.1: only then build the set it names
            named = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            for (String value : from.getAll("Connection")) {
                for (String token : value.split(",")) {
                    named.add(token.trim());
                }
            }
        }
        for (Map.Entry<String, String> header : from) {
            String name = header.getKey();
            if (ALWAYS.contains(name) || name.regionMatches(true, 0, "proxy-", 0, 6) || named.contains(name)
                    || skip.contains(name)) {
                continue;
            }
            to.add(name, header.getValue());
        }
    }
}
