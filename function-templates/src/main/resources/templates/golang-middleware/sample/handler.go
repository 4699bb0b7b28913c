package function

import (
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Handle greets whoever is named in the request body (the OpenFaaS golang-middleware contract).
func Handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	name := strings.TrimSpace(string(body))
	if name == "" {
		name = "world"
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "Hello, %s! (from Go middleware, %s %s)", name, r.Method, r.URL.Path)
}
