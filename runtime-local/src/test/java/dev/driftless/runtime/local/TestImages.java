package dev.driftless.runtime.local;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import dev.driftless.builder.ImageContents;
import dev.driftless.builder.ImageRef;
import dev.driftless.builder.ImageSource;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real OCI images for the local runtime's tests, built with Jib core from scratch: one layer with a tiny
 * python3 HTTP server at {@code /home/app/server.py} (it answers its version on {@code /}, and tries a TCP
 * connection on {@code /_/connect?host=&port=}, allocates on {@code /_/hog?mb=}), one with
 * {@code /etc/passwd} naming user {@code app} (10001). Jib writes each as an OCI image layout in a tar; the
 * {@link ImageSource} here reads them back by digest the way the builder's local store would.
 */
final class TestImages implements ImageSource {
    /** The server every image runs; {@code MODE} decides how it misbehaves. */
    private static final String SERVER = """
            import json, os, signal, sys, time, urllib.parse
            from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
            VERSION = "%s"
            MODE = "%s"
            def on_term(*_):
                print("stopping on SIGTERM", flush=True)
                os._exit(0)
            signal.signal(signal.SIGTERM, on_term)
            if MODE == "exit":
                print("boom: this version cannot start", flush=True)
                sys.exit(3)
            if MODE == "hog":
                print("allocating 300 MB", flush=True)
                hog = b"x" * (300 * 1024 * 1024)
                print("allocated 300 MB", flush=True)
            class Handler(BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def answer(self, code, body):
                    data = body.encode()
                    self.send_response(code)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                def do_GET(self):
                    url = urllib.parse.urlparse(self.path)
                    query = dict(urllib.parse.parse_qsl(url.query))
                    if url.path == "/_/health":
                        return self.answer(503 if MODE == "unhealthy" else 200, "ok")
                    if url.path == "/_/env":
                        procs = {}
                        for p in os.listdir("/proc"):
                            if p.isdigit():
                                try:
                                    procs[p] = open("/proc/%%s/environ" %% p, "rb").read().decode("utf-8", "replace")
                                except Exception as e:
                                    procs[p] = "unreadable: %%s" %% e
                        return self.answer(200, json.dumps({"env": dict(os.environ), "proc": procs,
                                                            "uid": os.getuid(), "gid": os.getgid(), "cwd": os.getcwd()}))
                    if url.path == "/_/connect":
                        import socket
                        probe = socket.socket()
                        probe.settimeout(3)
                        try:
                            probe.connect((query["host"], int(query["port"])))
                            return self.answer(200, "connected")
                        except Exception as e:
                            return self.answer(200, "not connected: %%s" %% e)
                        finally:
                            probe.close()
                    if url.path == "/_/hog":
                        held = b"x" * (int(query["mb"]) * 1024 * 1024)
                        return self.answer(200, "allocated %%d bytes" %% len(held))
                    if url.path == "/_/exists":
                        return self.answer(200, "yes" if os.path.lexists(query["path"]) else "no")
                    if url.path == "/_/read":
                        try:
                            return self.answer(200, open(query["path"]).read())
                        except Exception as e:
                            return self.answer(404, str(e))
                    if url.path == "/_/write":
                        try:
                            open(query["path"], "w").write("x")
                            return self.answer(200, "written")
                        except Exception as e:
                            return self.answer(403, str(e))
                    if "delay" in query:
                        time.sleep(float(query["delay"]))
                    return self.answer(200, VERSION)
                def log_message(self, fmt, *args):
                    pass
            print("serving version %%s on port %%s" %% (VERSION, os.environ["PORT"]), flush=True)
            ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
            """;

    private static final Object LOCK = new Object();
    private static TestImages shared;

    private final Path work;
    private final Map<String, Path> layouts = new ConcurrentHashMap<>();
    final String v1;
    final String v2;
    final String unhealthy;
    final String exits;
    /** Allocates 300 MB before it serves. */
    final String hog;

    private TestImages(Path work) throws Exception {
        this.work = work;
        this.v1 = build("one", "ok");
        this.v2 = build("two", "ok");
        this.unhealthy = build("three", "unhealthy");
        this.exits = build("four", "exit");
        this.hog = build("five", "hog");
    }

    /** Built once per test JVM: the images never change, and Jib takes a second or so per image. */
    static TestImages shared() {
        synchronized (LOCK) {
            if (shared == null) {
                try {
                    Path work = Files.createTempDirectory("driftless-test-images");
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        try {
                            ImageUnpacker.deleteTree(work);
                        } catch (IOException e) {
                            // temp folder; the OS cleans it eventually
                        }
                    }));
                    shared = new TestImages(work);
                } catch (Exception e) {
                    throw new IllegalStateException("cannot build test images", e);
                }
            }
            return shared;
        }
    }

    private String build(String version, String mode) throws Exception {
        Path tar = work.resolve(version + ".tar");
        JibContainer container = image(work, version, mode)
                .setFormat(ImageFormat.OCI)
                .containerize(Containerizer.to(TarImage.at(tar).named("local/test/fn:" + version))
                        .setBaseImageLayersCache(work.resolve("cache"))
                        .setApplicationLayersCache(work.resolve("cache")));
        String digest = container.getDigest().toString();
        Path layout = Files.createDirectories(work.resolve("layout-" + version));
        try (InputStream in = Files.newInputStream(tar)) {
            TarReader reader = new TarReader(in);
            for (TarReader.Entry e = reader.next(); e != null; e = reader.next()) {
                Path target = layout.resolve(e.name()).normalize();
                if (!target.startsWith(layout)) {
                    throw new IOException("bad entry " + e.name());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isFile()) {
                    Files.createDirectories(target.getParent());
                    Files.copy(reader.content(), target);
                }
            }
        }
        layouts.put(digest, layout);
        return "local/test/fn@" + digest;
    }

    /** The same v1 image, pushed to a real registry; returns {@code host:port/test/fn@sha256:…}. */
    static String pushV1(String registry, Path work) throws Exception {
        JibContainer container = image(work, "one", "ok")
                .setFormat(ImageFormat.OCI)
                .containerize(Containerizer.to(RegistryImage.named(registry + "/test/fn:v1"))
                        .setAllowInsecureRegistries(true)
                        .setBaseImageLayersCache(work.resolve("cache"))
                        .setApplicationLayersCache(work.resolve("cache")));
        return registry + "/test/fn@" + container.getDigest();
    }

    private static JibContainerBuilder image(Path work, String version, String mode) throws IOException {
        Path context = Files.createDirectories(work.resolve("context-" + version));
        Path script = Files.writeString(context.resolve("server.py"), SERVER.formatted(version, mode));
        Path passwd = Files.writeString(context.resolve("passwd"),
                "root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001:app:/home/app:/bin/sh\n");
        Path group = Files.writeString(context.resolve("group"), "root:x:0:\napp:x:10001:\n");
        return Jib.fromScratch()
                .addFileEntriesLayer(FileEntriesLayer.builder()
                        .addEntry(passwd, AbsoluteUnixPath.get("/etc/passwd"))
                        .addEntry(group, AbsoluteUnixPath.get("/etc/group"))
                        .build())
                .addFileEntriesLayer(FileEntriesLayer.builder()
                        .addEntry(script, AbsoluteUnixPath.get("/home/app/server.py"))
                        .build())
                .setEntrypoint("python3", "/home/app/server.py")
                .setEnvironment(Map.of("PYTHONUNBUFFERED", "1", "IMAGE_VERSION", version))
                .setUser("app")
                .setWorkingDirectory(AbsoluteUnixPath.get("/home/app"));
    }

    @Override
    public ImageContents read(ImageRef ref) throws IOException {
        Path layout = layouts.get(ref.digest());
        if (layout == null) {
            throw new IOException("no such image: " + ref);
        }
        JsonObject manifest = json(blob(layout, ref.digest()));
        JsonObject config = json(blob(layout, manifest.getJsonObject("config").getString("digest")))
                .getJsonObject("config", new JsonObject());
        List<ImageContents.Layer> layers = new ArrayList<>();
        for (Object o : manifest.getJsonArray("layers")) {
            JsonObject layer = (JsonObject) o;
            String digest = layer.getString("digest");
            String mediaType = layer.getString("mediaType");
            Path file = blob(layout, digest);
            layers.add(new ImageContents.Layer() {
                @Override
                public String digest() {
                    return digest;
                }

                @Override
                public String mediaType() {
                    return mediaType;
                }

                @Override
                public InputStream open() throws IOException {
                    return Files.newInputStream(file);
                }
            });
        }
        List<String> entrypoint = new ArrayList<>();
        strings(config.getJsonArray("Entrypoint")).forEach(entrypoint::add);
        strings(config.getJsonArray("Cmd")).forEach(entrypoint::add);
        Map<String, String> env = new LinkedHashMap<>();
        for (String kv : strings(config.getJsonArray("Env"))) {
            int eq = kv.indexOf('=');
            env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        config.getJsonObject("Labels", new JsonObject()).forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
        return new ImageContents(ref, layers, entrypoint, env, config.getString("User", ""),
                config.getString("WorkingDir", ""), labels);
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs").resolve("sha256").resolve(digest.substring("sha256:".length()));
    }

    private static JsonObject json(Path file) {
        try {
            return new JsonObject(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> strings(JsonArray array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(v -> out.add(String.valueOf(v)));
        }
        return out;
    }
}
