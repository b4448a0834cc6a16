package middleware

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/rs/cors"
)

// CORSOptions configures the middleware [NewCORS] builds. The zero value
// allows no cross-origin access at all.
type CORSOptions struct {
	// AllowedOrigins lists the origins whose pages may call the API. Each
	// entry is one of
	//   - an origin as browsers send it in the Origin header:
	//     scheme://host or scheme://host:port, with no path and no trailing
	//     slash, such as "https://app.example.com";
	//   - "*", allowing any origin;
	//   - a pattern with one "*" standing for zero or more characters,
	//     either in the subdomain labels, directly before a dot
	//     ("https://*.example.com", "https://pr-*.example.com"), or as the
	//     whole port ("http://localhost:*"). "https://*example.com" is
	//     refused, as it would match https://evilexample.com.
	//
	// Origins are matched case-insensitively. "null", the origin of
	// sandboxed and file: documents, cannot be allowed.
	// Default: none, so no cross-origin access.
	AllowedOrigins []string

	// AllowCredentials lets pages send cookies, HTTP authentication and TLS
	// client certificates and read the responses
	// (Access-Control-Allow-Credentials: true). It needs exact origins:
	// NewCORS refuses it when AllowedOrigins holds "*" or a pattern.
	// Default: false.
	AllowCredentials bool

	// AllowedHeaders lists the request headers pages may send, in addition
	// to the defaults Accept, Content-Type, Authorization, If-Match,
	// If-None-Match, Prefer (for Prefer: wait on slow creations) and
	// X-Request-Id. Content-Type is among them because
	// application/vnd.api+json is not a CORS-safelisted value, so every
	// JSON:API write is preflighted. Names are case-insensitive; "*"
	// allows any header.
	AllowedHeaders []string

	// ExposedHeaders lists the response headers pages may read, in addition
	// to the defaults Location, Content-Location, ETag, Retry-After,
	// Preference-Applied and X-Request-Id and
	// to the CORS-safelisted ones, such as Content-Type, that browsers
	// always expose.
	ExposedHeaders []string

	// AllowedMethods lists the methods pages may use. It replaces the
	// default GET, HEAD, POST, PATCH, DELETE. Methods are case-sensitive.
	AllowedMethods []string

	// MaxAge is how long, in seconds, browsers may cache the result of a
	// preflight (Access-Control-Max-Age). Default (0): 600. A negative
	// value sends 0, so that every non-simple request is preflighted.
	MaxAge int
}

// Defaults of CORSOptions.
var (
	corsAllowedHeaders = []string{"Accept", "Content-Type", "Authorization", "If-Match", "If-None-Match", "Prefer", RequestIDHeader}
	corsExposedHeaders = []string{"Location", "Content-Location", "ETag", "Retry-After", "Preference-Applied", RequestIDHeader}
	corsAllowedMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch, http.MethodDelete}
)

const corsMaxAge = 600

// CORS is a CORS middleware built by [NewCORS] on github.com/rs/cors. It is
// safe for concurrent use.
type CORS struct {
	c *cors.Cors
}

// NewCORS checks opts and returns the middleware they describe. It returns
// an error, and no middleware, for a configuration that is unsafe or cannot
// work: AllowCredentials with "*" or a pattern among AllowedOrigins (a
// pattern with credentials would let any matching site read credentialed
// responses; see rs/cors issue 197), an empty origin, an origin that is not
// scheme://host[:port] or a pattern other than those [CORSOptions]
// describes, and a header name or method that is not an HTTP token.
func NewCORS(opts CORSOptions) (*CORS, error) {
	for _, o := range opts.AllowedOrigins {
		pattern, err := checkOrigin(o)
		if err != nil {
			return nil, fmt.Errorf("middleware: NewCORS: AllowedOrigins: %w", err)
		}
		if pattern && opts.AllowCredentials {
			return nil, fmt.Errorf("middleware: NewCORS: AllowCredentials with origin %q would let any matching site read credentialed responses; list exact origins", o)
		}
	}
	for _, h := range opts.AllowedHeaders {
		if !isToken(h) {
			return nil, fmt.Errorf("middleware: NewCORS: AllowedHeaders: %q is not a header name", h)
		}
	}
	for _, h := range opts.ExposedHeaders {
		if !isToken(h) {
			return nil, fmt.Errorf("middleware: NewCORS: ExposedHeaders: %q is not a header name", h)
		}
	}
	for _, m := range opts.AllowedMethods {
		if !isToken(m) || m == "*" {
			return nil, fmt.Errorf("middleware: NewCORS: AllowedMethods: %q is not a method", m)
		}
	}

	o := cors.Options{
		AllowedOrigins:   slices.Clone(opts.AllowedOrigins),
		AllowCredentials: opts.AllowCredentials,
		AllowedHeaders:   withDefaults(corsAllowedHeaders, opts.AllowedHeaders),
		ExposedHeaders:   withDefaults(corsExposedHeaders, opts.ExposedHeaders),
		AllowedMethods:   slices.Clone(opts.AllowedMethods),
		MaxAge:           opts.MaxAge,
	}
	if len(o.AllowedOrigins) == 0 {
		// rs/cors takes no origins to mean any origin.
		o.AllowOriginFunc = func(string) bool { return false }
	}
	if len(o.AllowedMethods) == 0 {
		o.AllowedMethods = slices.Clone(corsAllowedMethods)
	}
	switch {
	case o.MaxAge == 0:
		o.MaxAge = corsMaxAge
	case o.MaxAge < 0:
		o.MaxAge = -1 // rs/cors sends 0
	}
	return &CORS{c: cors.New(o)}, nil
}

// Handler returns a handler that applies c to requests before passing them
// to next. It can be given to [Chain].
//
// A preflight, an OPTIONS request with an Access-Control-Request-Method
// header (browsers also send Origin), is answered by Handler with 204 No
// Content and never reaches next. If the origin, the method and every
// header in Access-Control-Request-Headers are allowed, the response
// carries Access-Control-Allow-Origin, -Allow-Methods, -Allow-Headers,
// -Max-Age and, with AllowCredentials, -Allow-Credentials; otherwise it
// carries no Access-Control-* header and the browser does not send the
// request.
//
// Any other request goes on to next. If it comes from an allowed origin
// and uses an allowed method, Access-Control-Allow-Origin,
// -Expose-Headers and, with AllowCredentials, -Allow-Credentials are set
// first; otherwise no Access-Control-* header is. Every response gets
// Vary: Origin.
//
// CORS only decides which pages may read responses: a request from a
// disallowed origin still reaches next, so CORS is no substitute for
// authentication or CSRF protection. Put Handler outside middleware that
// may answer without calling its handler, such as [MaxBytes], so that
// browsers can read those error responses too, and inside [Recover], whose
// error documents keep the headers.
func (c *CORS) Handler(next http.Handler) http.Handler {
	return c.c.Handler(next)
}

// OriginAllowed reports whether r has an Origin header that c allows. It
// reports the decision only; it does not check the method or headers.
func (c *CORS) OriginAllowed(r *http.Request) bool {
	return r.Header.Get("Origin") != "" && c.c.OriginAllowed(r)
}

// checkOrigin checks an entry of CORSOptions.AllowedOrigins and reports
// whether it is "*" or a pattern.
func checkOrigin(o string) (pattern bool, err error) {
	if o == "" {
		return false, errors.New("empty origin")
	}
	if o == "*" {
		return true, nil
	}
	// sample is o with the "*" of a pattern replaced, so that it parses as
	// an origin the pattern matches.
	sample := o
	switch strings.Count(o, "*") {
	case 0:
	case 1:
		pattern = true
		_, rest, _ := strings.Cut(o, "://")
		i := strings.IndexByte(rest, '*')
		switch {
		case strings.HasSuffix(rest, ":*"):
			sample = strings.Replace(o, "*", "1", 1)
		case i >= 0 && strings.HasPrefix(rest[i+1:], "."):
			sample = strings.Replace(o, "*", "x", 1)
		default:
			return false, fmt.Errorf("origin %q: the * must be the whole port or come directly before a dot in the host", o)
		}
	default:
		return false, fmt.Errorf("origin %q has more than one *", o)
	}
	u, err := url.Parse(sample)
	if err != nil || u.Scheme == "" || u.Hostname() == "" || strings.HasSuffix(u.Host, ":") ||
		!strings.EqualFold(u.Scheme+"://"+u.Host, sample) {
		return false, fmt.Errorf("origin %q is not scheme://host[:port]", o)
	}
	return pattern, nil
}

// withDefaults returns defaults followed by the entries of extra not among
// them, compared case-insensitively.
func withDefaults(defaults, extra []string) []string {
	all := slices.Clone(defaults)
	for _, h := range extra {
		if !slices.ContainsFunc(all, func(a string) bool { return strings.EqualFold(a, h) }) {
			all = append(all, h)
		}
	}
	return all
}

// isToken reports whether s is an HTTP token (RFC 9110, section 5.6.2), the
// syntax of header names and methods.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
