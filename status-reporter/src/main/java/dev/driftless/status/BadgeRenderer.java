package dev.driftless.status;

import java.util.Optional;

/**
 * Badges in the shields.io "flat" style, as pure functions (no I/O). Text widths are estimated from
 * Verdana 11 px advance widths per character, which is what shields measures with.
 */
public final class BadgeRenderer {
    public static final String LABEL = "driftless";

    public enum Badge {
        PASSING("passing", "#4c1"),
        FAILING("failing", "#e05d44"),
        BUILDING("building", "#dfb317"),
        UNKNOWN("unknown", "#9f9f9f");

        private final String message;
        private final String color;

        Badge(String message, String color) {
            this.message = message;
            this.color = color;
        }

        public String message() { return message; }
        public String color() { return color; }

        public static Badge of(Optional<CommitStatus.State> state) {
            return state.map(s -> switch (s) {
                case SUCCESS -> PASSING;
                case FAILURE, ERROR -> FAILING;
                case PENDING -> BUILDING;
            }).orElse(UNKNOWN);
        }
    }

    private BadgeRenderer() {}

    public static String render(Badge badge) {
        return render(LABEL, badge.message(), badge.color());
    }

    /** A flat badge; label and message are XML-escaped, color must be a #rgb/#rrggbb value. */
    static String render(String label, String message, String color) {
        if (!color.matches("#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}")) {
            throw new IllegalArgumentException("badge colour must be #rgb or #rrggbb");
        }
        int labelWidth = textWidth(label) + 10;
        int messageWidth = textWidth(message) + 10;
        int width = labelWidth + messageWidth;
        // shields draws text at scale(.1) with 10x coordinates for sub-pixel placement.
        int labelX = labelWidth * 5;
        int messageX = labelWidth * 10 + messageWidth * 5;
        int labelLength = (labelWidth - 10) * 10;
        int messageLength = (messageWidth - 10) * 10;
        String l = escape(label);
        String m = escape(message);
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"20\" role=\"img\" aria-label=\""
                + l + ": " + m + "\">"
                + "<title>" + l + ": " + m + "</title>"
                + "<linearGradient id=\"s\" x2=\"0\" y2=\"100%\"><stop offset=\"0\" stop-color=\"#bbb\" stop-opacity=\".1\"/>"
                + "<stop offset=\"1\" stop-opacity=\".1\"/></linearGradient>"
                + "<clipPath id=\"r\"><rect width=\"" + width + "\" height=\"20\" rx=\"3\" fill=\"#fff\"/></clipPath>"
                + "<g clip-path=\"url(#r)\"><rect width=\"" + labelWidth + "\" height=\"20\" fill=\"#555\"/>"
                + "<rect x=\"" + labelWidth + "\" width=\"" + messageWidth + "\" height=\"20\" fill=\"" + color + "\"/>"
                + "<rect width=\"" + width + "\" height=\"20\" fill=\"url(#s)\"/></g>"
                + "<g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\""
                + " text-rendering=\"geometricPrecision\" font-size=\"110\">"
                + "<text aria-hidden=\"true\" x=\"" + labelX + "\" y=\"150\" fill=\"#010101\" fill-opacity=\".3\""
                + " transform=\"scale(.1)\" textLength=\"" + labelLength + "\">" + l + "</text>"
                + "<text x=\"" + labelX + "\" y=\"140\" transform=\"scale(.1)\" fill=\"#fff\" textLength=\"" + labelLength + "\">" + l + "</text>"
                + "<text aria-hidden=\"true\" x=\"" + messageX + "\" y=\"150\" fill=\"#010101\" fill-opacity=\".3\""
                + " transform=\"scale(.1)\" textLength=\"" + messageLength + "\">" + m + "</text>"
                + "<text x=\"" + messageX + "\" y=\"140\" transform=\"scale(.1)\" fill=\"#fff\" textLength=\"" + messageLength + "\">" + m + "</text>"
                + "</g></svg>";
    }

    /** Estimated width in px of {@code text} in Verdana 11 px. */
    static int textWidth(String text) {
        double width = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            width += advance(cp);
            i += Character.charCount(cp);
        }
        return (int) Math.ceil(width);
    }

    private static double advance(int cp) {
        if ("il.,:;'|!".indexOf(cp) >= 0) return 3.1;
        if ("fjtI()[]/\\ ".indexOf(cp) >= 0) return 4.4;
        if ("r-".indexOf(cp) >= 0) return 4.8;
        if ("mwMW%".indexOf(cp) >= 0) return 10.4;
        if (cp >= 'A' && cp <= 'Z') return 7.6;
        if (cp >= '0' && cp <= '9') return 7.0;
        if (cp >= 'a' && cp <= 'z') return 6.6;
        return cp < 0x80 ? 7.0 : 11.0; // wide default for anything outside ASCII
    }

    /** XML text/attribute escaping; characters XML 1.0 cannot hold at all become U+FFFD. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(cp -> {
            switch (cp) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    boolean legal = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF)
                            || (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
                    out.appendCodePoint(legal ? cp : 0xFFFD);
                }
            }
        });
        return out.toString();
    }
}
