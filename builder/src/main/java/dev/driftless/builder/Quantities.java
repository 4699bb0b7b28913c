package dev.driftless.builder;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes-style quantities as OpenFaaS writes them: memory {@code 128Mi}, {@code 1G}; cpu {@code 100m}, {@code 0.5}. */
final class Quantities {
    private static final Pattern MEMORY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?");
    private static final Pattern CPU = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(m)?");
    private static final Map<String, Long> UNITS = Map.of(
            "Ki", 1L << 10, "Mi", 1L << 20, "Gi", 1L << 30, "Ti", 1L << 40,
            "k", 1_000L, "K", 1_000L, "M", 1_000_000L, "G", 1_000_000_000L, "T", 1_000_000_000_000L);

    private Quantities() { }

    /** Bytes, or -1 when the text is not a memory quantity. */
    static long memoryBytes(String text) {
        Matcher m = MEMORY.matcher(text.trim());
        if (!m.matches()) {
            return -1;
        }
        BigDecimal value = new BigDecimal(m.group(1));
        long unit = m.group(2) == null ? 1 : UNITS.get(m.group(2));
        try {
            return value.multiply(BigDecimal.valueOf(unit)).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    /** Millicores, or -1 when the text is not a cpu quantity. */
    static long cpuMillis(String text) {
        Matcher m = CPU.matcher(text.trim());
        if (!m.matches()) {
            return -1;
        }
        BigDecimal value = new BigDecimal(m.group(1));
        BigDecimal millis = m.group(2) != null ? value : value.multiply(BigDecimal.valueOf(1000));
        try {
            return millis.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
        } catch (ArithmeticException e) {
            return -1;
        }
    }
}
