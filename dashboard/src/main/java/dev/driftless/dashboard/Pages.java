package dev.driftless.dashboard;

import dev.driftless.dashboard.Views.BuildView;
import dev.driftless.dashboard.Views.FunctionDetail;
import dev.driftless.dashboard.Views.FunctionResultRow;
import dev.driftless.dashboard.Views.FunctionRow;
import dev.driftless.dashboard.Views.ReleaseRow;
import dev.driftless.dashboard.Views.RepositoryView;
import dev.driftless.dashboard.Views.Traffic;

import java.util.List;
import java.util.Locale;

import static dev.driftless.dashboard.Html.esc;
import static dev.driftless.dashboard.Html.time;

/** Renders the dashboard's pages from read models. Pure: no I/O. */
final class Pages {
    private Pages() {
    }

    /** @param gitHub whether GitHub sign-in is configured: then it is offered above the token form */
    static String login(String error, boolean gitHub) {
        String message = error == null ? "" : "<p class=\"flash\" id=\"login-error\">" + esc(error) + "</p>";
        String github = !gitHub ? "" : """
                <p><a class="button" id="github-login" href="/login/github">Sign in with GitHub</a></p>
                <p class="muted">You see your own functions and those of the organisations you are a member of.</p>
                <h2>Or with a token</h2>""";
        return Html.page("Log in", "", """
                <h1>Log in</h1>%s%s
                <p class="muted">Paste the admin token printed at first start, or an owner token from
                <code>./driftless token create &lt;owner&gt;</code>.</p>
                <form method="post" action="/login">
                  <input type="password" name="token" id="token" autocomplete="off" placeholder="token" required>
                  <button type="submit" id="login">Log in</button>
                </form>""".formatted(message, github));
    }

    static String owners(Principal principal, List<String> owners, String csrf) {
        StringBuilder body = new StringBuilder("<h1>Owners</h1><ul>");
        for (String owner : owners) {
            body.append("<li><a href=\"/dashboard/").append(esc(owner)).append("\">").append(esc(owner)).append("</a></li>");
        }
        body.append("</ul>");
        if (owners.isEmpty()) {
            body.append("<p class=\"muted\">No functions yet. Push a repository with a stack.yml.</p>");
        }
        return Html.page("Owners", userLine(principal, csrf), body.toString());
    }

    static String functions(Principal principal, String owner, List<String> repositories, List<FunctionRow> rows,
                            String csrf) {
        StringBuilder body = new StringBuilder();
        body.append("<h1>Functions of ").append(esc(owner)).append("</h1>");
        if (rows.isEmpty()) {
            body.append("<p class=\"muted\" id=\"no-functions\">No functions yet. Push a repository with a stack.yml.</p>");
        } else {
            body.append("""
                    <table id="functions"><thead><tr><th>Function</th><th>State</th><th>Endpoint</th><th>Commit</th>
                    <th>Deployed</th><th>Digest</th><th>Instances</th><th>Last hour</th><th>Last day</th></tr></thead><tbody>""");
            for (FunctionRow row : rows) {
                body.append("<tr data-function=\"").append(esc(row.function())).append("\">")
                        .append("<td><a class=\"function-link\" href=\"/dashboard/").append(esc(owner)).append("/functions/")
                        .append(esc(row.function())).append("\">").append(esc(row.function())).append("</a><br><span class=\"muted\">")
                        .append(esc(row.repository())).append("</span></td>")
                        .append("<td>").append(Html.badge(row.ready())).append("<br><span class=\"muted\" title=\"")
                        .append(esc(row.message())).append("\">").append(esc(row.reason())).append("</span></td>")
                        .append("<td><a class=\"endpoint\" href=\"").append(esc(row.endpoint())).append("\" target=\"_blank\">")
                        .append(esc(row.endpoint())).append("</a></td>")
                        .append("<td>").append(commit(row)).append("</td>")
                        .append("<td>").append(esc(row.deployedAt().map(Html::time).orElse("—"))).append("</td>")
                        .append("<td><code>").append(esc(row.image().map(Pages::digest).orElse("—"))).append("</code></td>")
                        .append("<td>").append(row.instancesReady()).append(" / ").append(row.instancesDesired()).append("</td>")
                        .append("<td>").append(traffic(row.lastHour())).append("</td>")
                        .append("<td>").append(traffic(row.lastDay())).append("</td></tr>");
            }
            body.append("</tbody></table>");
        }
        if (!repositories.isEmpty()) {
            body.append("<h2>Repositories</h2><ul>");
            for (String repository : repositories) {
                body.append("<li><a href=\"/dashboard/").append(esc(owner)).append("/repos/").append(esc(repository))
                        .append("\">").append(esc(repository)).append("</a></li>");
            }
            body.append("</ul>");
        }
        return Html.page(owner, userLine(principal, csrf), body.toString());
    }

    static String function(Principal principal, FunctionDetail detail, String csrf, String flash) {
        FunctionRow row = detail.row();
        String owner = row.owner();
        StringBuilder body = new StringBuilder();
        if (flash != null) {
            body.append("<p class=\"flash\" id=\"flash\">").append(esc(flash)).append("</p>");
        }
        body.append("<h1><a href=\"/dashboard/").append(esc(owner)).append("\">").append(esc(owner)).append("</a> / ")
                .append(esc(row.function())).append("</h1>")
                .append("<p>").append(Html.badge(row.ready())).append(" <b>").append(esc(row.reason())).append("</b> ")
                .append(esc(row.message())).append("</p>")
                .append("<p>Endpoint: <a class=\"endpoint\" href=\"").append(esc(row.endpoint())).append("\">")
                .append(esc(row.endpoint())).append("</a> · Repository: <a href=\"/dashboard/").append(esc(owner))
                .append("/repos/").append(esc(row.repository())).append("\">").append(esc(row.repository())).append("</a>");
        detail.latestBuild().ifPresent(id -> body.append(" · <a id=\"build-log-link\" href=\"/dashboard/").append(esc(owner))
                .append("/builds/").append(id).append("#").append(esc(row.function())).append("\">build log</a>"));
        body.append("</p>");

        body.append("<h2>Releases</h2><table id=\"releases\"><thead><tr><th>#</th><th>Commit</th><th>Digest</th><th>Source</th>"
                + "<th>Result</th><th>Created</th><th></th></tr></thead><tbody>");
        for (ReleaseRow release : detail.releases()) {
            body.append("<tr data-release=\"").append(release.number()).append("\"><td>").append(release.number())
                    .append(release.current() ? " <span class=\"state ok\">current</span>" : "").append("</td>")
                    .append("<td><code>").append(esc(release.commit().substring(0, Math.min(7, release.commit().length()))))
                    .append("</code></td><td><code>").append(esc(digest(release.image()))).append("</code></td>")
                    .append("<td>").append(esc(release.source()))
                    .append(esc(release.rollbackOf().map(n -> " of #" + n).orElse(""))).append("</td>")
                    .append("<td>").append(esc(release.result())).append(" <span class=\"muted\">").append(esc(release.reason()))
                    .append("</span></td><td>").append(esc(time(release.createdAt()))).append("</td><td>");
            if (!release.current() && "deployed".equals(release.result())) {
                body.append("<form method=\"post\" action=\"/dashboard/").append(esc(owner)).append("/functions/")
                        .append(esc(row.function())).append("/rollback\" onsubmit=\"return confirm('Roll back ")
                        .append(esc(row.function())).append(" to release ").append(release.number())
                        .append("? Its image is redeployed as a new release, without a rebuild.')\">")
                        .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(esc(csrf)).append("\">")
                        .append("<input type=\"hidden\" name=\"release\" value=\"").append(release.number()).append("\">")
                        .append("<button class=\"danger rollback\" type=\"submit\">Roll back to #").append(release.number())
                        .append("</button></form>");
            }
            body.append("</td></tr>");
        }
        body.append("</tbody></table>");

        if (!detail.events().isEmpty()) {
            body.append("<h2>Events</h2><table id=\"events\"><tbody>");
            detail.events().forEach(e -> body.append("<tr><td>").append(esc(time(e.at()))).append("</td><td><b>")
                    .append(esc(e.reason())).append("</b></td><td>").append(esc(e.message())).append("</td></tr>"));
            body.append("</tbody></table>");
        }
        body.append("<h2>Runtime log</h2><pre class=\"log\" id=\"runtime-log\">")
                .append(esc(detail.runtimeLog().isEmpty() ? "(no lines yet)" : String.join("\n", detail.runtimeLog())))
                .append("</pre>");
        return Html.page(row.function(), userLine(principal, csrf), body.toString());
    }

    static String build(Principal principal, BuildView build, String csrf) {
        String owner = build.owner();
        StringBuilder body = new StringBuilder();
        body.append("<h1><a href=\"/dashboard/").append(esc(owner)).append("\">").append(esc(owner)).append("</a> / ")
                .append("<a href=\"/dashboard/").append(esc(owner)).append("/repos/").append(esc(build.repository()))
                .append("\">").append(esc(build.repository())).append("</a> · build ").append(build.id()).append("</h1>")
                .append("<p>Commit <code>").append(esc(build.commit())).append("</code> on <code>").append(esc(build.branch()))
                .append("</code> (").append(esc(build.trigger())).append(") — <b id=\"build-state\">").append(esc(build.state()))
                .append("</b> <span class=\"muted\">").append(esc(build.reason())).append("</span></p>");
        body.append(logSection(owner, build, "", "Build"));
        for (FunctionResultRow function : build.functions()) {
            body.append(logSection(owner, build, function.function(), function.function() + " — " + function.outcome()
                    + (function.reason() == null || function.reason().isEmpty() ? "" : " (" + function.reason() + ")")));
        }
        body.append("""
                <script>
                // Follows every log on the page until its build has finished: polls for the lines after the last one shown.
                document.querySelectorAll('pre.log[data-src]').forEach(function (pre) {
                  var from = 0;
                  function poll() {
                    fetch(pre.dataset.src + '&from=' + from, {credentials: 'same-origin'})
                      .then(function (r) { return r.json(); })
                      .then(function (chunk) {
                        if (chunk.lines.length) {
                          if (from === 0) { pre.textContent = ''; }
                          pre.textContent += chunk.lines.join('\\n') + '\\n';
                          from = chunk.from + chunk.lines.length;
                          pre.scrollTop = pre.scrollHeight;
                        }
                        if (!chunk.done) { setTimeout(poll, 1000); } else { pre.dataset.done = 'true'; }
                      })
                      .catch(function () { setTimeout(poll, 3000); });
                  }
                  poll();
                });
                </script>""");
        return Html.page("Build " + build.id(), userLine(principal, csrf), body.toString());
    }

    private static String logSection(String owner, BuildView build, String function, String title) {
        String id = function.isEmpty() ? "log-build" : "log-" + function;
        return "<h2 id=\"" + esc(function) + "\">" + esc(title) + "</h2><pre class=\"log\" id=\"" + esc(id)
                + "\" data-src=\"/dashboard/" + esc(owner) + "/builds/" + build.id() + "/log?function=" + esc(function)
                + "\">loading…</pre>";
    }

    static String repository(Principal principal, RepositoryView view, String csrf) {
        StringBuilder body = new StringBuilder();
        body.append("<h1><a href=\"/dashboard/").append(esc(view.owner())).append("\">").append(esc(view.owner()))
                .append("</a> / ").append(esc(view.repository())).append("</h1>")
                .append("<p><img alt=\"driftless\" src=\"").append(esc(view.badgeUrl())).append("\"></p>")
                .append(view.suspended()
                        ? "<p class=\"flash\" id=\"suspended\">Suspended: pushes are recorded but nothing is built or "
                                + "corrected until it is resumed.</p>" : "")
                .append("<form method=\"post\" action=\"/dashboard/").append(esc(view.owner())).append("/repos/")
                .append(esc(view.repository())).append(view.suspended() ? "/resume" : "/suspend").append("\">")
                .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(esc(csrf)).append("\">")
                .append("<button type=\"submit\" id=\"").append(view.suspended() ? "resume" : "suspend").append("\">")
                .append(view.suspended() ? "Resume reconciling" : "Suspend reconciling").append("</button></form>")
                .append("<p>Badge for your README:</p><pre id=\"badge-markdown\">").append(esc(view.badgeMarkdown()))
                .append("</pre><h2>Recent pushes</h2><table id=\"builds\"><thead><tr><th>Build</th><th>Commit</th>"
                        + "<th>State</th><th>Functions</th><th>Started</th></tr></thead><tbody>");
        for (BuildView build : view.recentBuilds()) {
            body.append("<tr><td><a href=\"/dashboard/").append(esc(view.owner())).append("/builds/").append(build.id())
                    .append("\">#").append(build.id()).append("</a></td><td><code>")
                    .append(esc(build.commit().substring(0, Math.min(7, build.commit().length())))).append("</code> ")
                    .append(esc(build.trigger())).append("</td><td>").append(esc(build.state())).append(" <span class=\"muted\">")
                    .append(esc(build.reason())).append("</span></td><td>");
            for (FunctionResultRow function : build.functions()) {
                body.append(esc(function.function())).append(": ").append(esc(function.outcome())).append("<br>");
            }
            body.append("</td><td>").append(esc(time(build.startedAt()))).append("</td></tr>");
        }
        body.append("</tbody></table>");
        return Html.page(view.repository(), userLine(principal, csrf), body.toString());
    }

    static String error(int status, String message) {
        return Html.page(String.valueOf(status), "", "<h1>" + status + "</h1><p id=\"error\">" + esc(message)
                + "</p><p><a href=\"/dashboard\">Back to the dashboard</a></p>");
    }

    private static String userLine(Principal principal, String csrf) {
        return esc(principal.name()) + (principal.admin() ? " (admin)" : "")
                + " <form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"" + esc(csrf)
                + "\"><button type=\"submit\">Log out</button></form>";
    }

    private static String commit(FunctionRow row) {
        if (row.commit().isEmpty()) {
            return "—";
        }
        String short7 = esc(row.commit().get().substring(0, Math.min(7, row.commit().get().length())));
        return row.commitUrl().map(url -> "<a href=\"" + esc(url) + "\"><code>" + short7 + "</code></a>")
                .orElse("<code>" + short7 + "</code>");
    }

    private static String traffic(Traffic traffic) {
        if (traffic.requests() == 0) {
            return "<span class=\"muted\">no requests</span>";
        }
        return String.format(Locale.ROOT, "%d req · %d err<br><span class=\"muted\">p50 %.0f ms · p99 %.0f ms</span>",
                traffic.requests(), traffic.errors(), traffic.p50Millis(), traffic.p99Millis());
    }

    static String digest(String image) {
        int at = image.indexOf("sha256:");
        return at < 0 ? image : image.substring(at, Math.min(image.length(), at + 7 + 12));
    }
}
