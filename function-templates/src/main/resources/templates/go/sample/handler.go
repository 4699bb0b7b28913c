package function

import (
	"fmt"
	"os"
	"strings"
)

// Handle greets whoever is named in the request body (the OpenFaaS classic go contract).
func Handle(req []byte) string {
	name := strings.TrimSpace(string(req))
	if name == "" {
		name = "world"
	}
	return fmt.Sprintf("Hello, %s! (from Go, %s %s)", name, method(), os.Getenv("Http_Path"))
}

func method() string {
	if m := os.Getenv("Http_Method"); m != "" {
		return m
	}
	return "no method"
}
