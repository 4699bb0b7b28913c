package dev.driftless.gateway;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrustedProxiesTest {
    private final TrustedProxies ingress = TrustedProxies.of(List.of(
            TrustedProxies.Range.parse("10.0.0.0/8"), TrustedProxies.Range.parse("fd00::/8")));

    @Test
    void theClientIsTheRightMostAddressThatIsNotATrustedProxy() {
        assertEquals("203.0.113.9", ingress.client("10.1.2.3", "203.0.113.9"));
        assertEquals("203.0.113.9", ingress.client("10.1.2.3", "198.51.100.1, 203.0.113.9, 10.4.4.4"),
                "hops before the first untrusted one are the client's own claims");
        assertEquals("2001:db8::1", ingress.client("fd00::5", "2001:db8::1"));
        assertEquals("10.9.9.9", ingress.client("10.1.2.3", "10.9.9.9"), "all trusted: the left-most");
        assertEquals("10.1.2.3", ingress.client("10.1.2.3", null));
    }

    @Test
    void anUntrustedPeerIsTheClientWhateverItClaims() {
        assertEquals("203.0.113.50", ingress.client("203.0.113.50", "1.2.3.4"));
        assertEquals("203.0.113.50", ingress.forwardedFor("203.0.113.50", "1.2.3.4"));
        assertEquals("203.0.113.50", TrustedProxies.none().client("203.0.113.50", "1.2.3.4"));
    }

    @Test
    void garbageInTheChainStopsTheWalk() {
        assertEquals("10.1.2.3", ingress.client("10.1.2.3", "203.0.113.9, not-an-ip"));
        assertEquals("10.1.2.3", ingress.client("10.1.2.3", "1.2.3.999"), "never looked up as a name");
        assertEquals("203.0.113.9, 10.1.2.3", ingress.forwardedFor("10.1.2.3", "evil, 203.0.113.9"));
    }

    @Test
    void rangesParseStrictly() {
        TrustedProxies.Range range = TrustedProxies.Range.parse("192.168.16.0/20");
        assertTrue(range.contains(new byte[] {(byte) 192, (byte) 168, 31, 1}));
        assertFalse(range.contains(new byte[] {(byte) 192, (byte) 168, 32, 1}));
        assertTrue(TrustedProxies.Range.parse("127.0.0.1").contains(new byte[] {127, 0, 0, 1}));
        assertTrue(TrustedProxies.Range.parse("0.0.0.0/0").contains(new byte[] {8, 8, 8, 8}));
        assertEquals(TrustedProxies.Range.parse("10.0.0.0/8"), TrustedProxies.Range.parse(" 10.0.0.0/8 "), "a value");
        assertEquals("fd00::/8", TrustedProxies.Range.parse("fd00::/8").toString(), "shown as written");
        for (String bad : List.of("10.0.0.0/33", "10.0.0/8", "proxy.local", "10.0.0.0/x", "::1/129", "")) {
            assertThrows(IllegalArgumentException.class, () -> TrustedProxies.Range.parse(bad), bad);
        }
    }
}
