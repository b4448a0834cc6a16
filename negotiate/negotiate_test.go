package negotiate

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gorestless/restless/jsonapi"
)

const (
	atomic  = "https://jsonapi.org/ext/atomic"
	version = "https://example.com/ext/version"
	unknown = "https://example.com/ext/unknown"
	cursor  = "https://jsonapi.org/profiles/ethanresnick/cursor-pagination"
	other   = "https://example.com/profiles/other"
)

// sameList reports whether got and want hold the same URIs, and are both nil
// or both non-nil.
func sameList(got, want []string) bool {
	return (got == nil) == (want == nil) && slices.Equal(got, want)
}

// checkErr checks err against the wanted status (0 means no error) and the
// request header a negotiation error must name.
func checkErr(t *testing.T, err error, wantStatus int, wantHeader string) {
	t.Helper()
	if wantStatus == 0 {
		if err != nil {
			t.Fatalf("err = %v, want nil", err)
		}
		return
	}
	var e *jsonapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *jsonapi.Error with status %d", err, err, wantStatus)
	}
	if e.Status != wantStatus {
		t.Errorf("Status = %d, want %d", e.Status, wantStatus)
	}
	if e.Source == nil || e.Source.Header != wantHeader {
		t.Errorf("Source = %+v, want header %q", e.Source, wantHeader)
	}
	if e.Detail == "" || !strings.HasSuffix(e.Detail, ".") {
		t.Errorf("Detail = %q, want a sentence", e.Detail)
	}
	if got, want := e.Error(), "restless: "+e.Detail; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestContentType(t *testing.T) {
	supported := []string{atomic, version}
	tests := []struct {
		name        string
		header      string
		hasBody     bool
		supported   []string
		wantExt     []string
		wantProfile []string
		wantStatus  int
	}{
		// Missing Content-Type.
		{name: "missing without body is fine", header: "", hasBody: false},
		{name: "blank without body is fine", header: "  \t", hasBody: false},
		{name: "missing with body is 415", header: "", hasBody: true, wantStatus: 415},

		// Plain JSON:API.
		{name: "plain with body", header: "application/vnd.api+json", hasBody: true},
		{name: "plain without body", header: "application/vnd.api+json"},
		{name: "surrounding whitespace", header: "  application/vnd.api+json\t", hasBody: true},
		{name: "type and subtype are case-insensitive", header: "Application/VND.API+JSON", hasBody: true},
		{name: "trailing empty parameter", header: "application/vnd.api+json;", hasBody: true},
		{name: "empty ext is plain", header: `application/vnd.api+json; ext=""`, hasBody: true},

		// Rule 2: parameters other than ext and profile.
		{name: "charset is 415", header: "application/vnd.api+json; charset=utf-8", hasBody: true, wantStatus: 415},
		{name: "charset without body is still 415", header: "application/vnd.api+json; charset=utf-8", wantStatus: 415},
		{name: "q is a parameter in Content-Type", header: "application/vnd.api+json; q=0.5", hasBody: true, wantStatus: 415},
		{name: "unknown parameter beside ext", header: `application/vnd.api+json; ext="` + atomic + `"; foo=bar`, hasBody: true, supported: supported, wantStatus: 415},

		// Rule 3: extensions.
		{name: "supported ext", header: `application/vnd.api+json; ext="` + atomic + `"`, hasBody: true, supported: supported, wantExt: []string{atomic}},
		{name: "unsupported ext", header: `application/vnd.api+json; ext="` + atomic + `"`, hasBody: true, wantStatus: 415},
		{name: "unsupported ext without body", header: `application/vnd.api+json; ext="` + unknown + `"`, supported: supported, wantStatus: 415},
		{name: "two supported ext", header: `application/vnd.api+json; ext="` + atomic + " " + version + `"`, hasBody: true, supported: supported, wantExt: []string{atomic, version}},
		{name: "one of two ext unsupported", header: `application/vnd.api+json; ext="` + atomic + " " + unknown + `"`, hasBody: true, supported: supported, wantStatus: 415},
		{name: "ext URIs are case-sensitive", header: `application/vnd.api+json; ext="` + strings.ToUpper(atomic) + `"`, hasBody: true, supported: supported, wantStatus: 415},
		{name: "parameter name is case-insensitive", header: `application/vnd.api+json; EXT="` + atomic + `"`, hasBody: true, supported: supported, wantExt: []string{atomic}},
		{name: "unquoted ext is tolerated", header: "application/vnd.api+json;ext=" + atomic, hasBody: true, supported: supported, wantExt: []string{atomic}},

		// Rule 6: profiles are reported, never rejected.
		{name: "unknown profile is ignored", header: `application/vnd.api+json; profile="` + other + `"`, hasBody: true, wantProfile: []string{other}},
		{name: "ext and profile", header: `application/vnd.api+json;ext="` + atomic + `";profile="` + cursor + " " + other + `"`, hasBody: true, supported: supported, wantExt: []string{atomic}, wantProfile: []string{cursor, other}},

		// Rule 8: other media types.
		{name: "application/json with body is 415", header: "application/json", hasBody: true, wantStatus: 415},
		{name: "text/plain with body is 415", header: "text/plain", hasBody: true, wantStatus: 415},
		{name: "wildcard with body is 415", header: "*/*", hasBody: true, wantStatus: 415},
		{name: "application/json without body is ignored", header: "application/json"},
		{name: "text/plain with charset without body is ignored", header: "text/plain; charset=utf-8"},

		// Malformed values.
		{name: "garbage with body is 415", header: "garbage", hasBody: true, wantStatus: 415},
		{name: "garbage without body is ignored", header: "garbage"},
		{name: "parameter without value", header: "application/vnd.api+json; ext", wantStatus: 415},
		{name: "unterminated quote", header: `application/vnd.api+json; ext="` + atomic, supported: supported, hasBody: true, wantStatus: 415},
		{name: "duplicate ext", header: `application/vnd.api+json; ext="` + atomic + `"; ext="` + version + `"`, supported: supported, hasBody: true, wantStatus: 415},
		{name: "two media types", header: "application/vnd.api+json, text/plain", hasBody: true, wantStatus: 415},
		{name: "space around equals", header: `application/vnd.api+json; ext = "` + atomic + `"`, supported: supported, hasBody: true, wantStatus: 415},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ext, profile, err := ContentType(tt.header, tt.hasBody, tt.supported)
			checkErr(t, err, tt.wantStatus, "Content-Type")
			if !sameList(ext, tt.wantExt) {
				t.Errorf("ext = %q, want %q", ext, tt.wantExt)
			}
			if !sameList(profile, tt.wantProfile) {
				t.Errorf("profile = %q, want %q", profile, tt.wantProfile)
			}
		})
	}
}

func TestAccept(t *testing.T) {
	supported := []string{atomic, version}
	extAtomic := `application/vnd.api+json; ext="` + atomic + `"`
	extUnknown := `application/vnd.api+json; ext="` + unknown + `"`
	tests := []struct {
		name        string
		header      string
		supported   []string
		wantExt     []string
		wantProfile []string
		wantStatus  int
	}{
		// Rule 7: missing, wildcards, nothing usable.
		{name: "missing Accept is served", header: ""},
		{name: "only empty elements are served", header: " , ,\t"},
		{name: "*/* is served", header: "*/*"},
		{name: "application/* is served", header: "application/*"},
		{name: "uppercase wildcard", header: "APPLICATION/*"},
		{name: "plain JSON:API", header: "application/vnd.api+json"},
		{name: "browser-like header", header: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
		{name: "text/html is 406", header: "text/html", wantStatus: 406},
		{name: "application/json is 406", header: "application/json", wantStatus: 406},
		{name: "text/* is 406", header: "text/*", wantStatus: 406},
		{name: "several unusable types", header: "text/html, application/json;q=0.9", wantStatus: 406},
		{name: "garbage is 406", header: "garbage", wantStatus: 406},

		// q-values.
		{name: "q is allowed on JSON:API", header: "application/vnd.api+json; q=0.5"},
		{name: "Q is case-insensitive", header: "application/vnd.api+json;Q=0.5"},
		{name: "q=1.000", header: "application/vnd.api+json;q=1.000"},
		{name: "q=0.001", header: "application/vnd.api+json;q=0.001"},
		{name: "q=0 is not acceptable", header: "application/vnd.api+json;q=0", wantStatus: 406},
		{name: "q=0.000 is not acceptable", header: "application/vnd.api+json;q=0.000", wantStatus: 406},
		{name: "*/*;q=0 is 406", header: "*/*;q=0", wantStatus: 406},
		{name: "q=0 on every candidate", header: "application/vnd.api+json;q=0, application/*;q=0, */*;q=0", wantStatus: 406},
		{name: "plain q=0 refuses wildcard", header: "application/vnd.api+json;q=0, */*", wantStatus: 406},
		{name: "application/*;q=0 overrides */*", header: "application/*;q=0, */*", wantStatus: 406},
		{name: "application/* overrides */*;q=0", header: "application/*;q=0.2, */*;q=0"},
		{name: "ext instance with q=0 does not refuse plain", header: extAtomic + ";q=0, application/vnd.api+json", supported: supported},
		{name: "highest q wins", header: `application/vnd.api+json;q=0.5, ` + extAtomic + `;q=0.9`, supported: supported, wantExt: []string{atomic}},
		{name: "plain with higher q wins", header: extAtomic + `;q=0.4, application/vnd.api+json;q=0.5`, supported: supported},
		{name: "ties go to the first listed", header: `application/vnd.api+json; profile="` + cursor + `", application/vnd.api+json; profile="` + other + `"`, wantProfile: []string{cursor}},
		{name: "explicit instance beats wildcard", header: extAtomic + ";q=0.1, */*", supported: supported, wantExt: []string{atomic}},
		{name: "OWS around semicolons", header: "application/vnd.api+json ; q=0.8 , text/html"},

		// Rule 4: parameters other than ext and profile.
		{name: "charset is ignored so 406", header: "application/vnd.api+json; charset=utf-8", wantStatus: 406},
		{name: "all instances with bad params", header: "application/vnd.api+json; charset=utf-8, application/vnd.api+json; foo=bar", wantStatus: 406},
		{name: "bad params but */* served plain", header: "application/vnd.api+json; charset=utf-8, */*"},
		{name: "bad params but application/* served plain", header: "application/vnd.api+json; charset=utf-8, application/*;q=0.1"},
		{name: "bad params and */*;q=0", header: "application/vnd.api+json; charset=utf-8, */*;q=0", wantStatus: 406},
		{name: "bad params and a plain instance", header: "application/vnd.api+json; charset=utf-8, application/vnd.api+json"},
		{name: "bad param after q", header: "application/vnd.api+json;q=0.5;charset=utf-8", wantStatus: 406},
		{name: "bad param beside supported ext", header: extAtomic + "; charset=utf-8", supported: supported, wantStatus: 406},

		// Rule 5: extensions.
		{name: "supported ext", header: extAtomic, supported: supported, wantExt: []string{atomic}},
		{name: "unsupported ext is 406", header: extAtomic, wantStatus: 406},
		{name: "unknown ext is 406", header: extUnknown, supported: supported, wantStatus: 406},
		{name: "one of two ext unsupported", header: `application/vnd.api+json; ext="` + atomic + " " + unknown + `"`, supported: supported, wantStatus: 406},
		{name: "two supported ext", header: `application/vnd.api+json; ext="` + atomic + " " + version + `"`, supported: supported, wantExt: []string{atomic, version}},
		{name: "unsupported ext but */* served plain", header: extUnknown + ", */*;q=0.1", supported: supported},
		{name: "unsupported ext falls back to plain instance", header: extUnknown + ", application/vnd.api+json;q=0.5", supported: supported},
		{name: "unsupported ext falls back to supported ext", header: extUnknown + ", " + extAtomic + ";q=0.5", supported: supported, wantExt: []string{atomic}},
		{name: "unsupported ext and bad params", header: extUnknown + ", application/vnd.api+json; charset=utf-8", supported: supported, wantStatus: 406},
		{name: "empty ext is plain", header: `application/vnd.api+json; ext=""`},
		{name: "unquoted ext is tolerated", header: "application/vnd.api+json;ext=" + atomic, supported: supported, wantExt: []string{atomic}},

		// Rule 6: profiles.
		{name: "unknown profile is returned", header: `application/vnd.api+json; profile="` + other + `"`, wantProfile: []string{other}},
		{name: "ext and profiles", header: `application/vnd.api+json; ext="` + atomic + `"; profile="` + cursor + " " + other + `"`, supported: supported, wantExt: []string{atomic}, wantProfile: []string{cursor, other}},

		// Case-insensitivity and quoting.
		{name: "uppercase type and parameter names", header: `APPLICATION/VND.API+JSON; EXT="` + atomic + `"; Q=0.7`, supported: supported, wantExt: []string{atomic}},
		{name: "comma and semicolon inside quotes", header: `application/vnd.api+json; profile="https://example.com/a,b https://example.com/c;d"`, wantProfile: []string{"https://example.com/a,b", "https://example.com/c;d"}},
		{name: "comma inside a bad quoted param does not split", header: `application/vnd.api+json; foo="x, application/vnd.api+json"`, wantStatus: 406},
		{name: "escaped quote inside quotes", header: `application/vnd.api+json; foo="a\", application/vnd.api+json"`, wantStatus: 406},
		{name: "escaped characters are unescaped", header: `application/vnd.api+json; profile="https://example.com/\a"`, wantProfile: []string{"https://example.com/a"}},
		{name: "quoted wildcard parameter does not split", header: `text/html; x="a, */*"`, wantStatus: 406},

		// Malformed elements are ignored.
		{name: "garbage element is skipped", header: "garbage, application/vnd.api+json"},
		{name: "missing subtype is skipped", header: "application/, text/html", wantStatus: 406},
		{name: "*/json is skipped", header: "*/json", wantStatus: 406},
		{name: "q above 1 is skipped", header: "application/vnd.api+json;q=2, text/html", wantStatus: 406},
		{name: "q=1.001 is skipped", header: "application/vnd.api+json;q=1.001", wantStatus: 406},
		{name: "q with four decimals is skipped", header: "application/vnd.api+json;q=0.1234", wantStatus: 406},
		{name: "non-numeric q is skipped", header: "application/vnd.api+json;q=abc, */*"},
		{name: "quoted q is skipped", header: `application/vnd.api+json;q="0.5"`, wantStatus: 406},
		{name: "duplicate q is skipped", header: "application/vnd.api+json;q=0.5;q=0.6", wantStatus: 406},
		{name: "duplicate ext is skipped", header: extAtomic + `;ext="` + version + `", ` + extAtomic + ";q=0.1", supported: supported, wantExt: []string{atomic}},
		{name: "parameter without value is skipped", header: "application/vnd.api+json;ext, application/vnd.api+json;q=0.3"},
		{name: "junk after media type is skipped", header: "application/vnd.api+json junk, text/html", wantStatus: 406},
		{name: "unterminated quote swallows the rest", header: `application/vnd.api+json; profile="x, */*`, wantStatus: 406},
		{name: "empty parameters are allowed", header: "application/vnd.api+json;;q=1"},
		{name: "malformed element with quoted comma is skipped whole", header: `text/html junk="a, application/vnd.api+json", text/plain`, wantStatus: 406},
		{name: "malformed element with escaped quote is skipped whole", header: `text/html junk="a\", application/vnd.api+json", text/plain`, wantStatus: 406},
		{name: "skipping resumes after the quoted part", header: `text/html junk="a, b", application/vnd.api+json`},
		{name: "control character in quotes is skipped", header: "application/vnd.api+json; profile=\"a\x01\", text/html", wantStatus: 406},
		{name: "escaped control character is skipped", header: "application/vnd.api+json; profile=\"a\\\x01\"", wantStatus: 406},
		{name: "backslash at end is skipped", header: `application/vnd.api+json; profile="a\`, wantStatus: 406},
		{name: "q=1. is allowed", header: "application/vnd.api+json;q=1."},
		{name: "q=0.5x is skipped", header: "application/vnd.api+json;q=0.5x", wantStatus: 406},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ext, profile, err := Accept(tt.header, tt.supported)
			checkErr(t, err, tt.wantStatus, "Accept")
			if !sameList(ext, tt.wantExt) {
				t.Errorf("ext = %q, want %q", ext, tt.wantExt)
			}
			if !sameList(profile, tt.wantProfile) {
				t.Errorf("profile = %q, want %q", profile, tt.wantProfile)
			}
		})
	}
}

func TestAcceptDetail(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   string
	}{
		{name: "bad params", header: "application/vnd.api+json; charset=utf-8", want: "parameters other than ext and profile."},
		{name: "unsupported ext", header: `application/vnd.api+json; ext="` + unknown + `"`, want: "unsupported extension."},
		{name: "both", header: `application/vnd.api+json; ext="` + unknown + `", application/vnd.api+json; charset=utf-8`, want: "or asks for an unsupported extension."},
		{name: "no JSON:API instance", header: "text/html", want: "does not allow the media type application/vnd.api+json."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Accept(tt.header, nil)
			if err == nil || !strings.HasSuffix(err.Error(), tt.want) {
				t.Errorf("err = %v, want suffix %q", err, tt.want)
			}
		})
	}
}

func TestErrorStatusConstants(t *testing.T) {
	_, _, err := ContentType("text/plain", true, nil)
	var e *jsonapi.Error
	if !errors.As(err, &e) || e.Status != http.StatusUnsupportedMediaType {
		t.Errorf("ContentType err = %v, want status %d", err, http.StatusUnsupportedMediaType)
	}
	_, _, err = Accept("text/plain", nil)
	if !errors.As(err, &e) || e.Status != http.StatusNotAcceptable {
		t.Errorf("Accept err = %v, want status %d", err, http.StatusNotAcceptable)
	}
}

func TestFormatMediaType(t *testing.T) {
	tests := []struct {
		name    string
		ext     []string
		profile []string
		want    string
	}{
		{name: "plain", want: "application/vnd.api+json"},
		{name: "empty lists", ext: []string{}, profile: []string{""}, want: "application/vnd.api+json"},
		{name: "ext", ext: []string{atomic}, want: `application/vnd.api+json; ext="` + atomic + `"`},
		{name: "profile", profile: []string{cursor}, want: `application/vnd.api+json; profile="` + cursor + `"`},
		{name: "two ext and two profiles", ext: []string{atomic, version}, profile: []string{cursor, other}, want: `application/vnd.api+json; ext="` + atomic + " " + version + `"; profile="` + cursor + " " + other + `"`},
		{name: "quotes are escaped", profile: []string{`https://example.com/"x"`}, want: `application/vnd.api+json; profile="https://example.com/\"x\""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FormatMediaType(tt.ext, tt.profile)
			if got != tt.want {
				t.Errorf("FormatMediaType(%q, %q) = %q, want %q", tt.ext, tt.profile, got, tt.want)
			}
		})
	}
}

func TestFormatMediaTypeRoundTrip(t *testing.T) {
	ext := []string{atomic, version}
	profile := []string{cursor, `https://example.com/"q"\`}
	gotExt, gotProfile, err := ContentType(FormatMediaType(ext, profile), true, ext)
	if err != nil {
		t.Fatalf("ContentType: %v", err)
	}
	if !slices.Equal(gotExt, ext) || !slices.Equal(gotProfile, profile) {
		t.Errorf("round trip = %q, %q, want %q, %q", gotExt, gotProfile, ext, profile)
	}
}
