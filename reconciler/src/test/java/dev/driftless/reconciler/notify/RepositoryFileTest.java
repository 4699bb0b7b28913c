package dev.driftless.reconciler.notify;

import dev.driftless.builder.StackProblem;
import dev.driftless.reconciler.reconcile.PreviewSettings;
import dev.driftless.reconciler.reconcile.ReconcileEvent;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code .driftless.yml}: targets read, and every problem reported with file, line and column. */
class RepositoryFileTest {
    @Test
    void readsTargetsWithTheirFormatEventsAndSecret() {
        RepositoryFile.Parsed parsed = RepositoryFile.parse("""
                notifications:
                  - url: https://hooks.slack.com/services/T0/B0/XYZ
                    format: slack
                    events: [build.failed, rollout.failed]
                  - url: https://ci.example.com/driftless
                    secret: notify-signing
                """);
        assertTrue(parsed.valid(), parsed.problems().toString());
        assertEquals(List.of(), parsed.problems());
        NotificationTarget slack = parsed.targets().get(0);
        assertEquals(NotificationFormat.SLACK, slack.format());
        assertEquals(Set.of(ReconcileEvent.Type.BUILD_FAILED, ReconcileEvent.Type.ROLLOUT_FAILED), slack.events());
        assertEquals("https://hooks.slack.com/…", slack.redactedUrl());
        NotificationTarget json = parsed.targets().get(1);
        assertEquals(NotificationFormat.JSON, json.format());
        assertTrue(json.accepts(ReconcileEvent.Type.PRUNE), "no events: every event");
        assertEquals(Optional.of("secret:notify-signing"), json.secretRef());
    }

    @Test
    void everyProblemNamesTheFileLineAndColumn() {
        RepositoryFile.Parsed parsed = RepositoryFile.parse("""
                notifications:
                  - url: ftp://example.com/x
                    format: xml
                  - format: json
                    events: [build.exploded]
                  - url: https://hooks.slack.com/services/a
                    format: slack
                    secret: s
                    colour: red
                extra: 1
                """);
        assertFalse(parsed.valid());
        List<String> problems = parsed.problems().stream().map(StackProblem::toString).toList();
        assertEquals(List.of(
                ".driftless.yml:2:10: url must be an absolute http(s) URL with a host (no user, no #fragment)",
                ".driftless.yml:3:13: format must be json or slack, not 'xml'",
                ".driftless.yml:5:13: unknown event(s) [build.exploded]; known: build.started, build.succeeded, "
                        + "build.failed, rollout.failed, rollback, prune",
                ".driftless.yml:4:5: url is missing",
                ".driftless.yml:9:5: unknown key 'colour' (known: url, format, events, secret)",
                ".driftless.yml:8:13: secret applies to json targets; Slack does not verify signatures",
                ".driftless.yml:10:1: warning: unknown key 'extra' (ignored; known: notifications, previews)"), problems);
    }

    @Test
    void badYamlAndWrongShapesAreClearErrors() {
        StackProblem yaml = RepositoryFile.parse("notifications:\n  - url: https://a.example\n    events: [\n").problems().get(0);
        assertEquals(".driftless.yml", yaml.file());
        assertTrue(yaml.line() >= 3 && yaml.message().startsWith("not valid YAML: "), yaml.toString());
        assertEquals(".driftless.yml:1:16: notifications must be a list of targets (- url: …)",
                RepositoryFile.parse("notifications: yes\n").problems().get(0).toString());
        assertEquals(".driftless.yml:1:1: must be a mapping (with 'notifications' and/or 'previews')",
                RepositoryFile.parse("- a\n").problems().get(0).toString());
        assertTrue(RepositoryFile.parse("").valid(), "an empty file configures nothing");
        assertTrue(RepositoryFile.parse("").targets().isEmpty());
    }

    @Test
    void previewSwitchesAreReadAndDefaultToBranchesOffAndTheCommentOn() {
        RepositoryFile.Parsed both = RepositoryFile.parse("previews:\n  branches: true\n  comment: false\n");
        assertTrue(both.valid(), both.problems().toString());
        assertEquals(new PreviewSettings.Switches(true, false), both.previews());
        assertEquals(new PreviewSettings.Switches(true, true),
                RepositoryFile.parse("previews: {branches: true}\n").previews(), "a key left out keeps its default");
        assertEquals(PreviewSettings.Switches.DEFAULTS, RepositoryFile.parse("notifications: []\n").previews());
        assertEquals(PreviewSettings.Switches.DEFAULTS, RepositoryFile.parse("").previews());
        assertEquals(List.of(".driftless.yml:2:13: previews.branches must be true or false, not 'maybe'",
                        ".driftless.yml:3:3: unknown key 'colour' (known: branches, comment)"),
                RepositoryFile.parse("previews:\n  branches: maybe\n  colour: red\n").problems().stream()
                        .map(StackProblem::toString).toList());
        assertFalse(RepositoryFile.parse("previews: yes\n").valid());
    }
}
