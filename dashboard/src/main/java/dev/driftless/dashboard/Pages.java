package dev.driftless.dashboard;

import dev.driftless.dashboard.Views.BuildView;
import dev.driftless.dashboard.Views.FunctionDetail;
import dev.driftless.dashboard.Views.FunctionRow;
import dev.driftless.dashboard.Views.RepositoryView;
import gg.jte.html.HtmlTemplateOutput;
import gg.jte.html.OwaspHtmlTemplateOutput;
import gg.jte.output.StringOutput;

import java.util.List;
import java.util.function.Consumer;

/**
 * Renders the dashboard's pages from read models. Pure: no I/O. Each page is a JTE template in
 * {@code src/main/jte/} (layout partials in {@code layout/}), compiled to a {@code Jte…Generated} class at
 * build time; calling those classes directly keeps every template parameter checked by the compiler.
 * The output escapes each value for its context (text, attribute, URL attribute) and refuses
 * {@code javascript:} URLs.
 */
final class Pages {
    private Pages() {
    }

    /** @param gitHub whether GitHub sign-in is configured: then it is offered above the token form */
    static String login(String error, boolean gitHub) {
        return render(out -> JteloginGenerated.render(out, null, error, gitHub));
    }

    static String owners(Principal principal, List<String> owners, String csrf) {
        return render(out -> JteownersGenerated.render(out, null, principal, owners, csrf));
    }

    static String functions(Principal principal, String owner, List<String> repositories, List<FunctionRow> rows,
                            List<Views.SecretRow> secrets, String csrf) {
        return render(out -> JtefunctionsGenerated.render(out, null, principal, owner, repositories, rows, secrets, csrf));
    }

    static String notifications(Principal principal, String owner, Views.NotificationsPage page, String csrf,
                                String flash, String error) {
        return render(out -> JtenotificationsGenerated.render(out, null, principal, owner, page, csrf, flash, error));
    }

    static String audit(Principal principal, String owner, Views.AuditPage page, String csrf) {
        return render(out -> JteauditGenerated.render(out, null, principal, owner, page, csrf));
    }

    static String function(Principal principal, FunctionDetail detail, String csrf, String flash) {
        return render(out -> JtefunctionGenerated.render(out, null, principal, detail, csrf, flash));
    }

    static String build(Principal principal, BuildView build, String csrf) {
        return render(out -> JtebuildGenerated.render(out, null, principal, build, csrf));
    }

    static String repository(Principal principal, RepositoryView view, String csrf) {
        return render(out -> JterepositoryGenerated.render(out, null, principal, view, csrf));
    }

    static String error(int status, String message) {
        return render(out -> JteerrorGenerated.render(out, null, status, message));
    }

    private static String render(Consumer<HtmlTemplateOutput> template) {
        StringOutput text = new StringOutput(8 * 1024);
        template.accept(new OwaspHtmlTemplateOutput(text));
        return text.toString();
    }
}
