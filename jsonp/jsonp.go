package jsonp

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorestless/restless/jsonapi"
)

// Options configures [New]. The zero value is safe: the parameter is
// "callback", callbacks are at most [DefaultMaxLength] characters, requests
// with credentials are refused and refusals are answered with a minimal
// JSON:API error document.
type Options struct {
	// Param is the query parameter that names the callback. Default:
	// "callback".
	Param string
	// MaxLength is the longest callback accepted, in characters. Zero
	// means [DefaultMaxLength]; New panics if it is negative.
	MaxLength int
	// AllowCredentials serves JSONP requests that carry a Cookie or an
	// Authorization header. Any web site can read a JSONP answer with the
	// user's credentials, so set it only for data that is public anyway.
	AllowCredentials bool
	// ErrorHandler replies to a refused request; err is an [*jsonapi.Error] with
	// Status 400 for a bad callback and 403 for a request with
	// credentials. Such replies are not wrapped. If nil, a JSON:API error
	// document such as
	// {"errors":[{"status":"400","title":"Bad Request","detail":...,"source":{"parameter":"callback"}}]}
	// is written with Content-Type application/vnd.api+json.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
}

// A refused JSONP request is a *jsonapi.Error: Status is 400 (the
// callback is not [Valid]) or 403 (the request carries credentials),
// Source.Parameter names the query parameter of the callback and Detail
// is a sentence for the client.

// maxBody is the largest response New buffers; a larger one is replaced by
// a wrapped 500 error document.
const maxBody = 16 << 20

// New returns a middleware that answers GET and HEAD requests whose query
// has the parameter opts.Param with JSONP, as described in the package
// documentation. Requests with other methods, or without the parameter,
// reach next untouched.
//
// A callback that is not [Valid] is answered with a 400 error and a request
// with credentials, unless opts.AllowCredentials is set, with a 403 error;
// neither reaches next. Otherwise next sees a shallow copy of the request
// whose URL lacks the parameter, so links in the document do not carry it,
// and its response is buffered (up to 16 MiB) and wrapped.
//
// New panics if opts.MaxLength is negative or opts.Param is not a plain
// query parameter name.
func New(opts Options) func(http.Handler) http.Handler {
	param := opts.Param
	if param == "" {
		param = "callback"
	}
	if url.QueryEscape(param) != param {
		panic("jsonp: Options.Param " + strconv.Quote(param) + " must be a query parameter name that needs no escaping")
	}
	maxLength := opts.MaxLength
	switch {
	case maxLength < 0:
		panic("jsonp: Options.MaxLength must not be negative")
	case maxLength == 0:
		maxLength = DefaultMaxLength
	}
	refuse := opts.ErrorHandler
	if refuse == nil {
		refuse = writeError
	}
	badCallback := &jsonapi.Error{
		Status: http.StatusBadRequest,
		Title:  http.StatusText(http.StatusBadRequest),
		Source: jsonapi.Parameter(param),
		Detail: "The " + param + " parameter must be a JavaScript identifier or dotted path of at most " +
			strconv.Itoa(maxLength) + " characters, such as jQuery123_456 or app.handlers.person.",
	}
	credentials := &jsonapi.Error{
		Status: http.StatusForbidden,
		Title:  http.StatusText(http.StatusForbidden),
		Source: jsonapi.Parameter(param),
		Detail: "A JSONP request must not carry credentials (a Cookie or Authorization header).",
	}
	allowCredentials := opts.AllowCredentials

	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				next.ServeHTTP(w, r)
				return
			}
			rest, values, found := cut(r.URL.RawQuery, param)
			if !found {
				next.ServeHTTP(w, r)
				return
			}
			if len(values) != 1 || !Valid(values[0], maxLength) {
				e := *badCallback
				refuse(w, r, &e)
				return
			}
			if !allowCredentials && (r.Header.Get("Cookie") != "" || r.Header.Get("Authorization") != "") {
				e := *credentials
				refuse(w, r, &e)
				return
			}

			// Handlers must not modify their request, so the URL without
			// the callback goes on a shallow copy.
			r2 := new(http.Request)
			*r2 = *r
			u := *r.URL
			u.RawQuery = rest
			u.ForceQuery = false
			r2.URL = &u
			if r.Form != nil {
				r2.Form = nil // parsed again, without the callback
			}

			bw := &bufferWriter{ResponseWriter: w}
			next.ServeHTTP(bw, r2)
			bw.finish(values[0], r.Method == http.MethodHead)
		})
	}
}

// Handler is New(Options{})(next): JSONP with the default parameter
// "callback", callbacks of at most [DefaultMaxLength] characters,
// credentials refused and the default error document.
func Handler(next http.Handler) http.Handler {
	return New(Options{})(next)
}

// cut removes every occurrence of the parameter name from the raw query q,
// keeping the other parameters exactly as they were. It returns the rest of
// the query, the unescaped values of name and whether name was present.
// Parameters that cannot be unescaped are kept as they are.
func cut(q, name string) (rest string, values []string, found bool) {
	if !strings.Contains(q, name) && !strings.Contains(q, "%") {
		return q, nil, false
	}
	var kept []string
	for part := range strings.SplitSeq(q, "&") {
		key, value, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(key); err == nil && k == name {
			v, err := url.QueryUnescape(value)
			if err != nil {
				v = "" // not a valid callback either
			}
			values = append(values, v)
			found = true
			continue
		}
		kept = append(kept, part)
	}
	if !found {
		return q, nil, false
	}
	return strings.Join(kept, "&"), values, true
}

// writeError writes the default JSON:API error document for err, a
// *jsonapi.Error.
func writeError(w http.ResponseWriter, _ *http.Request, err error) {
	var e *jsonapi.Error
	if !errors.As(err, &e) {
		e = jsonapi.NewError(http.StatusInternalServerError, "The JSONP request could not be answered.")
	}
	jsonapi.WriteErrors(w, jsonapi.MediaType, e.Status, e)
}
