package dev.driftless.reconciler.reconcile;

/**
 * The public addresses Driftless hands out: function endpoints, dashboard pages, badges.
 * {@code https://<owner>.<domain>/<function>}; the port is shown only when it is not 443.
 */
public record Urls(String domain, int httpsPort) {

    public String endpoint(String owner, String function) {
        return "https://" + owner + "." + domain + port() + "/" + function;
    }

    /** The path form, for setups without wildcard DNS. */
    public String pathEndpoint(String owner, String function) {
        return "https://" + domain + port() + "/f/" + owner + "/" + function;
    }

    public String dashboard(String owner) {
        return "https://" + domain + port() + "/dashboard/" + owner;
    }

    public String functionPage(String owner, String function) {
        return dashboard(owner) + "/functions/" + function;
    }

    public String buildLog(String owner, long buildId, String function) {
        return dashboard(owner) + "/builds/" + buildId + (function == null ? "" : "#" + function);
    }

    public String repositoryPage(String owner, String repository) {
        return dashboard(owner) + "/repos/" + repository;
    }

    public String badge(String owner, String repository) {
        return "https://" + domain + port() + "/badge/" + owner + "/" + repository + ".svg";
    }

    private String port() {
        return httpsPort == 443 ? "" : ":" + httpsPort;
    }
}
