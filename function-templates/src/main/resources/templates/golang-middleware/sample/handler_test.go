package function

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestGreetsTheNameInTheBody(t *testing.T) {
	rec := httptest.NewRecorder()
	Handle(rec, httptest.NewRequest("POST", "/", strings.NewReader("Driftless")))
	if got, want := rec.Body.String(), "Hello, Driftless! (from Go middleware, POST /)"; got != want {
		t.Fatalf("body = %q, want %q", got, want)
	}
}

func TestGreetsTheWorldWithoutABody(t *testing.T) {
	rec := httptest.NewRecorder()
	Handle(rec, httptest.NewRequest("GET", "/x", nil))
	if got, want := rec.Body.String(), "Hello, world! (from Go middleware, GET /x)"; got != want {
		t.Fatalf("body = %q, want %q", got, want)
	}
}
