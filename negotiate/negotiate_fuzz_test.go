package negotiate_test

import (
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/gorestless/restless/jsonapi"

	"github.com/gorestless/restless/negotiate"
)

var fuzzExt = []string{"https://jsonapi.org/ext/atomic"}

// FuzzContentType checks Content-Type parsing: a failure is a 415 naming
// the Content-Type header; a JSON:API success lists only supported
// extensions, and formatting the result parses back to the same lists.
func FuzzContentType(f *testing.F) {
	for _, s := range []string{
		"application/vnd.api+json", `application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"`,
		`application/vnd.api+json;profile="a b"`, "application/vnd.api+json; charset=utf-8",
		"application/json", "", "text/plain", `application/vnd.api+json; ext="x`, "APPLICATION/VND.API+JSON",
		`application/vnd.api+json; ext=https://jsonapi.org/ext/atomic; profile=""`,
	} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, header string, hasBody bool) {
		ext, profile, err := negotiate.ContentType(header, hasBody, fuzzExt)
		if err != nil {
			var ne *jsonapi.Error
			if !errors.As(err, &ne) || ne.Status != http.StatusUnsupportedMediaType || ne.Source == nil || ne.Source.Header != "Content-Type" || ne.Detail == "" {
				t.Fatalf("error %#v is not a 415 naming Content-Type", err)
			}
			return
		}
		for _, e := range ext {
			if !slices.Contains(fuzzExt, e) {
				t.Fatalf("unsupported extension %q accepted", e)
			}
		}
		if ext == nil && profile == nil {
			return
		}
		ext2, profile2, err := negotiate.ContentType(negotiate.FormatMediaType(ext, profile), true, fuzzExt)
		if err != nil || !slices.Equal(ext, ext2) || !slices.Equal(profile, profile2) {
			t.Fatalf("round trip of %q: %q %q %v, want %q %q", header, ext2, profile2, err, ext, profile)
		}
	})
}

// FuzzAccept checks Accept parsing: a failure is a 406 naming the Accept
// header; a success lists only supported extensions and round-trips.
func FuzzAccept(f *testing.F) {
	for _, s := range []string{
		"application/vnd.api+json", "*/*", "application/*", `application/vnd.api+json; ext="https://jsonapi.org/ext/atomic", */*;q=0.1`,
		`application/vnd.api+json; profile="x y";q=0.5`, "application/vnd.api+json; charset=utf-8",
		"text/html, application/vnd.api+json;q=0", ",,,", `application/vnd.api+json;q=1.0001`, "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		ext, profile, err := negotiate.Accept(header, fuzzExt)
		if err != nil {
			var ne *jsonapi.Error
			if !errors.As(err, &ne) || ne.Status != http.StatusNotAcceptable || ne.Source == nil || ne.Source.Header != "Accept" || ne.Detail == "" {
				t.Fatalf("error %#v is not a 406 naming Accept", err)
			}
			return
		}
		for _, e := range ext {
			if !slices.Contains(fuzzExt, e) {
				t.Fatalf("unsupported extension %q accepted", e)
			}
		}
		if ext == nil && profile == nil {
			return
		}
		ext2, profile2, err := negotiate.Accept(negotiate.FormatMediaType(ext, profile), fuzzExt)
		if err != nil || !slices.Equal(ext, ext2) || !slices.Equal(profile, profile2) {
			t.Fatalf("round trip of %q: %q %q %v, want %q %q", header, ext2, profile2, err, ext, profile)
		}
	})
}
