package function

import (
	"os"
	"testing"
)

func TestGreetsTheNameInTheBody(t *testing.T) {
	os.Setenv("Http_Method", "POST")
	os.Setenv("Http_Path", "/")
	if got, want := Handle([]byte("Driftless")), "Hello, Driftless! (from Go, POST /)"; got != want {
		t.Fatalf("Handle() = %q, want %q", got, want)
	}
}

func TestGreetsTheWorldWithoutABody(t *testing.T) {
	os.Setenv("Http_Method", "GET")
	os.Setenv("Http_Path", "/")
	if got, want := Handle(nil), "Hello, world! (from Go, GET /)"; got != want {
		t.Fatalf("Handle() = %q, want %q", got, want)
	}
}
