package dev.driftless.webhook;

import java.util.regex.Pattern;

/**
 * One smart-HTTP request, parsed from the path below the endpoint's mount point and validated strictly,
 * because owner and repository become folder names under the repositories root.
 */
record GitRequest(String owner, String repository, Kind kind, Service service) {

    enum Kind { ADVERTISE, RPC }

    enum Service {
        UPLOAD_PACK("git-upload-pack"), RECEIVE_PACK("git-receive-pack");

        final String wireName;

        Service(String wireName) {
            this.wireName = wireName;
        }

        static Service of(String name) {
            for (Service service : values()) {
                if (service.wireName.equals(name)) {
                    return service;
                }
            }
            return null;
        }
    }

    /** The request does not name a valid repository or service; answered 400 with the message. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    // DNS-1123 label: owners become namespaces and host names.
    private static final Pattern OWNER = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final String SUFFIX = ".git";

    /**
     * @param path    the raw (undecoded) path after the mount point, e.g. {@code alice/fns.git/info/refs}
     * @param method  the HTTP method
     * @param service the {@code service} query parameter (info/refs only)
     */
    static GitRequest parse(String path, String method, String service) throws Invalid {
        String[] segments = path.split("/", -1);
        Kind kind;
        Service named;
        if (segments.length == 4 && "info".equals(segments[2]) && "refs".equals(segments[3])) {
            if (!"GET".equals(method)) {
                throw new Invalid("info/refs answers GET only");
            }
            named = Service.of(service);
            if (named == null) {
                throw new Invalid("only the smart HTTP protocol is served: ?service=git-upload-pack or ?service=git-receive-pack");
            }
            kind = Kind.ADVERTISE;
        } else if (segments.length == 3 && Service.of(segments[2]) != null) {
            if (!"POST".equals(method)) {
                throw new Invalid(segments[2] + " answers POST only");
            }
            named = Service.of(segments[2]);
            kind = Kind.RPC;
        } else {
            throw new Invalid("expected /git/<owner>/<repository>.git/info/refs, git-upload-pack or git-receive-pack");
        }
        return new GitRequest(owner(segments[0]), repository(segments[1]), kind, named);
    }

    static String owner(String owner) throws Invalid {
        if (!OWNER.matcher(owner).matches()) {
            throw new Invalid("invalid owner '" + printable(owner) + "': lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit");
        }
        return owner;
    }

    static String repository(String segment) throws Invalid {
        String name = segment.endsWith(SUFFIX) ? segment.substring(0, segment.length() - SUFFIX.length()) : segment;
        if (!REPOSITORY.matcher(name).matches() || name.startsWith(".") || name.contains("..")) {
            throw new Invalid("invalid repository name '" + printable(segment) + "': letters, digits, '.', '_' and '-', not starting with '.' and without '..'");
        }
        return name;
    }

    private static String printable(String value) {
        String cut = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
