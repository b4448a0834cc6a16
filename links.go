package restless

import (
	"net/http"
	"net/url"
	"strings"
)

// A linker builds the absolute links of one request.
type linker struct {
	base string // scheme://host + prefix
}

func (a *API) linker(r *http.Request) *linker {
	return &linker{base: a.baseURL(r) + strings.TrimSuffix(a.Prefix, "/")}
}

// baseURL returns the scheme and host links start with.
func (a *API) baseURL(r *http.Request) string {
	if a.BaseURL != "" {
		return strings.TrimSuffix(a.BaseURL, "/")
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if a.TrustForwarded {
		if p := firstValue(r.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
			scheme = p
		}
		if h := firstValue(r.Header.Get("X-Forwarded-Host")); h != "" && validHost(h) {
			host = h
		}
	}
	if host == "" || !validHost(host) {
		host = "localhost"
	}
	return scheme + "://" + host
}

func firstValue(s string) string {
	if i := strings.IndexByte(s, ','); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// validHost reports whether h looks like host[:port] and nothing else.
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-.:[]_", c) >= 0) {
			return false
		}
	}
	return h != ""
}

func (l *linker) collection(s *Schema) string {
	return l.base + "/" + url.PathEscape(s.CollectionPath())
}

// itemPrefix returns the link of s's resources without the escaped id.
func (l *linker) itemPrefix(s *Schema) string {
	return l.base + "/" + url.PathEscape(s.CollectionPath()) + "/"
}

// withQuery returns link with the query v.
func withQuery(link string, v url.Values) string {
	if len(v) == 0 {
		return link
	}
	return link + "?" + v.Encode()
}
