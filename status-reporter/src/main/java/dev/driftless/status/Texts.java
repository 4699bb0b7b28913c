package dev.driftless.status;

/** Cutting text to GitHub's limits without splitting a surrogate pair. */
final class Texts {
    private Texts() {}

    /** At most {@code max} code points; a cut text ends with "…". */
    static String cutDescription(String text, int max) {
        String oneLine = text.replaceAll("\\s*[\\r\\n\\t]+\\s*", " ").strip();
        if (oneLine.codePointCount(0, oneLine.length()) <= max) {
            return oneLine;
        }
        int end = oneLine.offsetByCodePoints(0, max - 1);
        return oneLine.substring(0, end).stripTrailing() + "…";
    }

    /**
     * At most {@code max} UTF-16 chars (never more code points than that either). A build log's end is
     * where the error is, so the end is kept and a note in front says what was cut and where the whole
     * log is.
     */
    static String cutLog(String text, int max, String fullLogUrl) {
        if (text.length() <= max) {
            return text;
        }
        // The note's length depends on the number it holds; reserve room for the widest number.
        int room = max - note(text.length(), text.length(), max, fullLogUrl).length();
        int start = text.length() - room;
        if (Character.isLowSurrogate(text.charAt(start))) {
            start++;
        }
        return note(start, text.length(), max, fullLogUrl) + text.substring(start);
    }

    private static String note(int omitted, int total, int max, String fullLogUrl) {
        return "[Driftless: this log was cut to fit GitHub's limit of " + max + " characters; the first "
                + omitted + " of " + total + " characters are not shown"
                + (fullLogUrl == null ? "" : "; the whole log is at " + fullLogUrl) + "]\n…\n";
    }
}
