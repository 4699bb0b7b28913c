package dev.driftless.gateway;

import java.util.Locale;

/**
 * The parts of the site the fallback serves on the bare domain, each limited per client with a bucket of its
 * own: password guesses at the login form must not be as cheap as looking at the dashboard, and a git clone's
 * few requests must not use up a person's dashboard.
 */
public enum SiteArea {
    /** {@code POST /login}: a token (password) attempt. */
    LOGIN,
    /** The built-in git endpoint under {@code /git/}. */
    GIT,
    /** Everything else: dashboard pages, the API, badges, GitHub sign-in. */
    DASHBOARD;

    public static SiteArea of(String method, String path) {
        if ("POST".equals(method) && "/login".equals(path)) {
            return LOGIN;
        }
        if (path.startsWith("/git/")) {
            return GIT;
        }
        return DASHBOARD;
    }

    /** The reason label of a refusal, on {@code driftless_gateway_refused_total}. */
    String refusal() {
        return name().toLowerCase(Locale.ROOT) + "_rate";
    }
}
