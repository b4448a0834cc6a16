package restless

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gorestless/restless/internal/engine"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/negotiate"
	"github.com/gorestless/restless/query"
	"github.com/gorestless/restless/resource"
)

// queryConfig returns what a request for t may ask for in its query
// string; t is nil for endpoints of no type.
func (a *API) queryConfig(r *http.Request, t *engine.Type, collection bool) query.Config {
	e := a.engine()
	c := query.Config{
		Types:        e.ResolverOf,
		PageSize:     a.PageSize,
		MaxPageSize:  a.MaxPageSize,
		Collection:   collection,
		Include:      true,
		IncludeDepth: a.IncludeDepth,
		IncludePaths: a.IncludePaths,
	}
	if t != nil {
		c.Resolver = e.Resolver(t)
	}
	if res, ok := negotiate.FromContext(r.Context()); ok {
		c.Cursor = slices.Contains(res.AcceptProfile, query.CursorProfile)
	}
	return c
}

// writeConfig returns what a write request on t may ask for: nothing but
// the parameters every request may carry.
func (a *API) writeConfig(r *http.Request, t *engine.Type) query.Config {
	c := a.queryConfig(r, t, false)
	c.Include = false
	return c
}

// parseQuery parses r's query string as c allows.
func parseQuery(r *http.Request, c query.Config) (query.Params, error) {
	v, err := query.Values(r.URL.RawQuery)
	if err != nil {
		return query.Params{}, err
	}
	return query.Parse(r.Context(), v, c)
}

// linker returns the linker of r's response: its links start with the
// API's BaseURL, or r's own scheme and host, and the Prefix.
func (a *API) linker(r *http.Request) *engine.Linker {
	return engine.NewLinker(a.baseURL(r) + strings.TrimSuffix(a.Prefix, "/"))
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

// key returns the key r.PathValue("id") names in t, or ErrNotFound when
// the text cannot be one.
func (a *API) key(r *http.Request, t *engine.Type) (string, any, error) {
	raw := r.PathValue("id")
	id, ok := a.engine().ParseID(t, raw)
	if !ok {
		return raw, nil, resource.ErrNotFound
	}
	return raw, id, nil
}

// MaxDocumentDepth is the deepest nesting of arrays and objects a request
// document may have; a deeper one is answered with 400 before it is
// decoded. A resource document needs 5 levels and attribute values of
// type JSON get the rest.
const MaxDocumentDepth = 64

// readBody reads the request body, at most the API's limit, and refuses
// documents nested deeper than MaxDocumentDepth.
func (a *API) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.maxBody()))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, &jsonapi.Error{Status: http.StatusBadRequest, Title: "Unreadable Body", Detail: "The request body could not be read.", Err: err}
	}
	if jsonTooDeep(body, MaxDocumentDepth) {
		return nil, &jsonapi.Error{Status: http.StatusBadRequest, Title: "Document Too Deep",
			Detail: fmt.Sprintf("The request document nests arrays and objects deeper than %d levels.", MaxDocumentDepth), Source: jsonapi.Pointer("")}
	}
	if ptr, ok := duplicateMember(body); ok {
		return nil, &jsonapi.Error{Status: http.StatusBadRequest, Title: "Duplicate Member",
			Detail: "The request document has a member twice in one object; which one counts would be a guess.", Source: jsonapi.Pointer(ptr)}
	}
	return body, nil
}

// duplicateMember returns the JSON Pointer of the first member that
// appears twice in one object of the JSON text b. Invalid JSON has none;
// the decoder reports it.
func duplicateMember(b []byte) (string, bool) {
	type frame struct {
		obj       bool
		keys      map[string]bool
		key       string
		index     int
		expectKey bool
	}
	var stack []*frame
	done := func() { // a value ended
		if len(stack) == 0 {
			return
		}
		if top := stack[len(stack)-1]; top.obj {
			top.expectKey = true
		} else {
			top.index++
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].expectKey {
			top := stack[n-1]
			if k, ok := tok.(string); ok {
				if top.keys[k] {
					var ptr strings.Builder
					for _, f := range stack[:n-1] {
						ptr.WriteByte('/')
						if f.obj {
							ptr.WriteString(jsonapi.EscapePointer(f.key))
						} else {
							ptr.WriteString(strconv.Itoa(f.index))
						}
					}
					ptr.WriteByte('/')
					ptr.WriteString(jsonapi.EscapePointer(k))
					return ptr.String(), true
				}
				top.keys[k] = true
				top.key, top.expectKey = k, false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, keys: map[string]bool{}, expectKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			done()
		default:
			done()
		}
	}
}

// jsonTooDeep reports whether the JSON text b nests arrays and objects
// deeper than limit. It only counts brackets outside strings; whether b
// is valid JSON is the decoder's business.
func jsonTooDeep(b []byte, limit int) bool {
	depth := 0
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > limit {
				return true
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return false
}
