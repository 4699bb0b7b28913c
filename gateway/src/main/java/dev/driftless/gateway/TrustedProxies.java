package dev.driftless.gateway;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who the client of a request is. Behind an Ingress every connection comes from the proxy, so per-client
 * limits would lump all users together: when the peer is a trusted proxy, the client is the right-most
 * {@code X-Forwarded-For} address that is not itself a trusted proxy. Anyone else's
 * {@code X-Forwarded-For} is a claim nobody checked, so it is ignored (and not passed on).
 */
public final class TrustedProxies {
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final TrustedProxies NONE = new TrustedProxies(List.of());

    /** A network in CIDR notation; a bare address is a /32 (IPv4) or /128 (IPv6). Shown as it was written. */
    public static final class Range {
        private final byte[] network;
        private final int prefix;
        private final String text;

        private Range(byte[] network, int prefix, String text) {
            this.network = network;
            this.prefix = prefix;
            this.text = text;
        }

        /** Parses {@code 10.0.0.0/8}, {@code fd00::/8} or {@code 192.0.2.7}; never looks a name up. */
        public static Range parse(String text) {
            String value = text.strip();
            int slash = value.indexOf('/');
            String address = slash < 0 ? value : value.substring(0, slash);
            byte[] bytes = literal(address).orElseThrow(() ->
                    new IllegalArgumentException("not an IP address or CIDR range: '" + text + "'"));
            int bits = bytes.length * 8;
            int prefix;
            try {
                prefix = slash < 0 ? bits : Integer.parseInt(value.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IP address or CIDR range: '" + text + "'");
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("prefix out of range in '" + text + "'");
            }
            return new Range(bytes, prefix, value);
        }

        public boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Range range && prefix == range.prefix && Arrays.equals(network, range.network);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(network) + prefix;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private final List<Range> ranges;

    private TrustedProxies(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /** Nobody is trusted: the client is always the connection's peer. */
    public static TrustedProxies none() {
        return NONE;
    }

    public static TrustedProxies of(List<Range> ranges) {
        return ranges.isEmpty() ? NONE : new TrustedProxies(ranges);
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** The client's address, given the connection's peer and the request's {@code X-Forwarded-For} header. */
    public String client(String peer, String forwardedFor) {
        if (forwardedFor == null || ranges.isEmpty()) {
            return peer; // the common case, without building a chain
        }
        List<String> chain = chain(peer, forwardedFor);
        for (int i = chain.size() - 1; i > 0; i--) {
            if (!trusted(chain.get(i))) {
                return chain.get(i);
            }
        }
        return chain.get(0);
    }

    /** The {@code X-Forwarded-For} to send to the function: the trusted part of the chain, then the peer. */
    public String forwardedFor(String peer, String forwardedFor) {
        if (forwardedFor == null || ranges.isEmpty()) {
            return peer;
        }
        return String.join(", ", chain(peer, forwardedFor));
    }

    /** Peer last; what came before it only as far as each hop was added by a trusted proxy. */
    private List<String> chain(String peer, String forwardedFor) {
        List<String> hops = new ArrayList<>();
        hops.add(peer);
        if (forwardedFor != null && trusted(peer)) {
            String[] claimed = forwardedFor.split(",");
            for (int i = claimed.length - 1; i >= 0; i--) {
                String hop = claimed[i].strip();
                if (literal(hop).isEmpty()) {
                    break; // garbage from the client: nothing before it can be trusted either
                }
                hops.add(0, hop);
                if (!trusted(hop)) {
                    break; // the first untrusted hop is the client; what it claims is not evidence
                }
            }
        }
        return hops;
    }

    private boolean trusted(String address) {
        Optional<byte[]> bytes = literal(address);
        return bytes.isPresent() && ranges.stream().anyMatch(range -> range.contains(bytes.get()));
    }

    /** The bytes of a literal IPv4 or IPv6 address (IPv4-mapped IPv6 becomes IPv4); empty for anything else. */
    private static Optional<byte[]> literal(String text) {
        if (text == null || text.isEmpty() || text.length() > 45 || !LITERAL.matcher(text).matches()) {
            return Optional.empty();
        }
        if (text.indexOf(':') < 0) {
            // Parsed here: InetAddress would look up anything that is not a valid literal, such as 1.2.3.999.
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) {
                return Optional.empty();
            }
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)) {
                    return Optional.empty();
                }
                int value = Integer.parseInt(parts[i]);
                if (value > 255) {
                    return Optional.empty();
                }
                bytes[i] = (byte) value;
            }
            return Optional.of(bytes);
        }
        try {
            // With a colon, InetAddress parses an IPv6 literal and never resolves.
            return Optional.of(InetAddress.getByName(text).getAddress());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
