package dev.driftless.gateway;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Host and path decisions, table-driven: what is forwarded where, and what is refused with which status. */
class RequestResolverTest {
    private final RequestResolver resolver = new RequestResolver("fn.example.com");

    @ParameterizedTest
    @CsvSource({
            "alice.fn.example.com,      /hello,               alice, hello, /hello,         /",
            "alice.fn.example.com:443,  /hello/a/b?x,         alice, hello, /hello,         /a/b?x",
            "ALICE.FN.EXAMPLE.COM,      /hello/,              alice, hello, /hello,         /",
            "fn.example.com,            /f/alice/hello,       alice, hello, /f/alice/hello, /",
            "fn.example.com,            /f/alice/hello/x/y,   alice, hello, /f/alice/hello, /x/y",
            "fn.example.com,            /f/alice/hello/a%20b, alice, hello, /f/alice/hello, /a%20b",
    })
    void forwards(String host, String path, String owner, String function, String prefix, String forwarded) {
        assertEquals(new Resolution.Forward(new FunctionAddress(owner, function), prefix, forwarded),
                resolver.resolve(host, path));
    }

    @ParameterizedTest
    @CsvSource({
            "evil.com,                        /hello,                   421",
            "alice.fn.example.com.evil.com,   /hello,                   421",
            "a.b.fn.example.com,              /hello,                   421",
            "xfn.example.com,                 /hello,                   421",
            "-alice.fn.example.com,           /hello,                   421",
            "..fn.example.com,                /hello,                   400",
            "alice..fn.example.com,           /hello,                   400",
            "alice.fn.example.com:x,          /hello,                   400",
            "'alice.fn.example.com, x',       /hello,                   400",
            "alice@fn.example.com,            /hello,                   400",
            "alice.fn.example.com,            /hello/../x,              400",
            "alice.fn.example.com,            /hello/%2E%2E/x,          400",
            "alice.fn.example.com,            /hello/.%2e,              400",
            "alice.fn.example.com,            /hello%2f..,              400",
            "alice.fn.example.com,            /hello\\x,                400",
            "alice.fn.example.com,            /Hello,                   400",
            "alice.fn.example.com,            hello,                    400",
            "fn.example.com,                  /f/alice/../bob/hello,    400",
            "fn.example.com,                  /f/al%69ce/hello,         400",
            "fn.example.com,                  /f/alice/fn%2f..,         400",
            "fn.example.com,                  /f/alice,                 404",
            "fn.example.com,                  /f/,                      404",
            "alice.fn.example.com,            /,                        404",
    })
    void refuses(String host, String path, int status) {
        Resolution resolution = resolver.resolve(host, path);
        assertEquals(status, resolution instanceof Resolution.Refuse refuse ? refuse.status() : -1, resolution.toString());
    }

    @ParameterizedTest
    @CsvSource({"fn.example.com, /", "fn.example.com, /dashboard/alice", "fn.example.com:8443, /fx", "fn.example.com, /favicon.ico"})
    void theRestOfTheBareDomainIsTheFallbacks(String host, String path) {
        assertEquals(new Resolution.Fallback(), resolver.resolve(host, path));
    }
}
