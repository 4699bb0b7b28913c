package dev.driftless.dashboard;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Escaping and the page frame. Every value that reaches a page goes through {@link #esc}. */
final class Html {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Html() {
    }

    static String esc(Object value) {
        if (value == null) {
            return "";
        }
        String text = String.valueOf(value);
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant);
    }

    static String badge(String ready) {
        String css = switch (ready) {
            case "True" -> "ok";
            case "False" -> "bad";
            default -> "busy";
        };
        String text = switch (ready) {
            case "True" -> "Ready";
            case "False" -> "Not ready";
            default -> "Reconciling";
        };
        return "<span class=\"state " + css + "\">" + text + "</span>";
    }

    static String page(String title, String userLine, String body) {
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%s · Driftless</title>
                <style>
                  :root { --fg:#1f2328; --muted:#656d76; --line:#d0d7de; --bg:#f6f8fa; --accent:#0969da; }
                  * { box-sizing: border-box; }
                  body { margin:0; font:14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color:var(--fg); }
                  header { display:flex; justify-content:space-between; align-items:center; padding:12px 24px;
                           background:#24292f; color:#fff; }
                  header a { color:#fff; text-decoration:none; font-weight:600; }
                  header form { display:inline; }
                  main { max-width:1200px; margin:0 auto; padding:24px; }
                  h1 { font-size:22px; margin:0 0 16px; } h2 { font-size:17px; margin:28px 0 8px; }
                  table { width:100%%; border-collapse:collapse; background:#fff; }
                  th, td { text-align:left; padding:8px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
                  th { background:var(--bg); font-weight:600; font-size:12px; text-transform:uppercase; color:var(--muted); }
                  a { color:var(--accent); } code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size:12px; }
                  pre.log { background:#0d1117; color:#e6edf3; padding:12px; border-radius:6px; max-height:480px;
                            overflow:auto; white-space:pre-wrap; }
                  .state { padding:2px 8px; border-radius:12px; font-size:12px; font-weight:600; }
                  .ok { background:#dafbe1; color:#1a7f37; } .bad { background:#ffebe9; color:#cf222e; }
                  .busy { background:#fff8c5; color:#9a6700; }
                  .muted { color:var(--muted); } .flash { padding:10px 14px; background:#ddf4ff; border-radius:6px; margin-bottom:16px; }
                  button { font:inherit; padding:4px 12px; border:1px solid var(--line); border-radius:6px; background:#f6f8fa; cursor:pointer; }
                  button.danger { color:#cf222e; }
                  a.button { display:inline-block; padding:6px 14px; border-radius:6px; background:#24292f; color:#fff;
                             text-decoration:none; font-weight:600; }
                  input[type=password], input[type=text] { font:inherit; padding:6px 10px; width:420px; max-width:100%%;
                           border:1px solid var(--line); border-radius:6px; }
                </style></head>
                <body><header><a href="/dashboard">Driftless</a><span>%s</span></header>
                <main>%s</main></body></html>
                """.formatted(esc(title), userLine, body);
    }
}
