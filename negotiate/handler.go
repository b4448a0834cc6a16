package negotiate

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gorestless/restless/jsonapi"
)

// Result is what negotiation decided for one request.
type Result struct {
	// RequestExt lists the extensions the request body uses (from
	// Content-Type); all of them are supported.
	RequestExt []string
	// RequestProfile lists the profiles from the request Content-Type.
	RequestProfile []string
	// AcceptExt lists the extensions the chosen Accept instance asks for
	// (all supported); it is nil if there are none or a wildcard was used.
	AcceptExt []string
	// AcceptProfile lists the profiles the chosen Accept instance asks for.
	// It may include unknown profiles, which the server ignores.
	AcceptProfile []string
}

// Negotiator configures content negotiation. The zero value supports no
// extensions and writes errors with its own minimal JSON:API error document.
type Negotiator struct {
	// Extensions lists the supported extension URIs.
	Extensions []string
	// Require, if set, is an extension every request must apply and every
	// response applies, such as the Atomic Operations extension of an
	// operations endpoint; it counts as supported. A request whose
	// Content-Type does not list it gets a 415, and one whose Accept
	// header leaves no JSON:API media type listing it (see
	// [AcceptRequiring]) a 406.
	Require string
	// ErrorHandler replies to a failed negotiation. err is usually an
	// [*jsonapi.Error]. If nil, a JSON:API error document such as
	// {"errors":[{"status":"415","title":"Unsupported Media Type","detail":...,"source":{"header":"Content-Type"}}]}
	// is written with Content-Type application/vnd.api+json.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
}

// Check decides content negotiation for r without writing anything. The
// Content-Type is checked first, so a 415 wins over a 406. OPTIONS requests
// (including CORS preflights) are not checked against Accept. A failure is
// returned as an [*jsonapi.Error].
func (n *Negotiator) Check(r *http.Request) (Result, error) {
	var res Result
	var err error
	supported := n.Extensions
	if n.Require != "" && !slices.Contains(supported, n.Require) {
		supported = append(slices.Clip(supported), n.Require)
	}
	res.RequestExt, res.RequestProfile, err = ContentType(
		strings.Join(r.Header.Values("Content-Type"), ", "), hasBody(r), supported)
	if err != nil {
		return Result{}, err
	}
	if r.Method == http.MethodOptions {
		return res, nil
	}
	if n.Require != "" && !slices.Contains(res.RequestExt, n.Require) {
		return Result{}, unsupportedMediaType("A request to this endpoint must have the Content-Type " +
			FormatMediaType([]string{n.Require}, nil) + ".")
	}
	res.AcceptExt, res.AcceptProfile, err = accept(
		strings.Join(r.Header.Values("Accept"), ", "), supported, n.Require)
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// hasBody reports whether r has a body: a positive or unknown
// Content-Length, or a Transfer-Encoding.
func hasBody(r *http.Request) bool {
	return r.ContentLength > 0 || r.ContentLength == -1 ||
		len(r.TransferEncoding) > 0 || r.Header.Get("Transfer-Encoding") != ""
}

// Handler returns a handler that adds "Vary: Accept" to every response, calls
// [Negotiator.Check], and on failure calls ErrorHandler (or writes the default
// JSON:API error document) without calling next. On success it stores the
// [Result] in the request context, where [FromContext] finds it, and calls
// next.
func (n *Negotiator) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addVary(w.Header(), "Accept")
		res, err := n.Check(r)
		if err != nil {
			if n.ErrorHandler != nil {
				n.ErrorHandler(w, r, err)
			} else {
				writeError(w, err)
			}
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), res)))
	})
}

// Handler returns (&Negotiator{}).Handler(next): negotiation without
// extensions and with the default error document.
func Handler(next http.Handler) http.Handler {
	return (&Negotiator{}).Handler(next)
}

// addVary adds name to the Vary header unless it is already listed.
func addVary(h http.Header, name string) {
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			f = strings.TrimSpace(f)
			if f == "*" || strings.EqualFold(f, name) {
				return
			}
		}
	}
	h.Add("Vary", name)
}

// writeError writes the default JSON:API error document for err.
func writeError(w http.ResponseWriter, err error) {
	var e *jsonapi.Error
	if !errors.As(err, &e) {
		e = jsonapi.NewError(http.StatusInternalServerError, "Content negotiation failed.")
	}
	jsonapi.WriteErrors(w, MediaType, e.Status, e)
}

type contextKey struct{}

// NewContext returns a copy of ctx that carries res.
func NewContext(ctx context.Context, res Result) context.Context {
	return context.WithValue(ctx, contextKey{}, res)
}

// FromContext returns the Result stored in ctx by [NewContext] or
// [Negotiator.Handler], and whether there was one.
func FromContext(ctx context.Context) (Result, bool) {
	res, ok := ctx.Value(contextKey{}).(Result)
	return res, ok
}
