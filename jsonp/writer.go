package jsonp

import (
	"bufio"
	"encoding/json"
	"errors"
	"mime"
	"net"
	"net/http"
	"strconv"
)

// errTooLarge is returned by the buffering writer's Write once the response
// exceeds maxBody.
var errTooLarge = errors.New("jsonp: response too large to wrap")

// mode is what a bufferWriter does with the response.
type mode int

const (
	undecided   mode = iota
	passthrough      // not wrappable: written straight to the client
	buffering        // JSON: kept until the handler returns, then wrapped
)

// bufferWriter holds a JSON response until the handler returns, so that it
// can be wrapped. It shares its header map with the ResponseWriter it wraps.
// The mode is decided at the first WriteHeader or Write: responses that
// cannot be wrapped (not JSON, with a Content-Encoding, 304 and 206) are
// passed through at once and can be streamed.
type bufferWriter struct {
	http.ResponseWriter
	mode     mode
	status   int
	buf      []byte
	overflow bool // more than maxBody bytes were written
	hijacked bool
}

// Unwrap returns the wrapped ResponseWriter, for [http.ResponseController].
func (w *bufferWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// WriteHeader records the status; informational statuses other than 101
// are dropped.
func (w *bufferWriter) WriteHeader(code int) {
	if w.mode == passthrough {
		w.ResponseWriter.WriteHeader(code) // net/http reports superfluous calls
		return
	}
	if w.status != 0 || (code >= 100 && code < 200 && code != http.StatusSwitchingProtocols) {
		return
	}
	w.status = code
	w.decide()
}

// Write buffers p, or writes it through when the response is not wrapped.
func (w *bufferWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.mode == passthrough {
		return w.ResponseWriter.Write(p)
	}
	if w.overflow {
		return 0, errTooLarge
	}
	if len(w.buf)+len(p) > maxBody {
		w.overflow = true
		w.buf = nil
		return 0, errTooLarge
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// Flush flushes a response that is passed through; a response being
// wrapped is sent when the handler returns.
func (w *bufferWriter) Flush() {
	_ = w.FlushError()
}

// FlushError is Flush for [http.ResponseController]; it returns the wrapped
// writer's error for a response that is passed through, and nil otherwise.
func (w *bufferWriter) FlushError() error {
	if w.mode != passthrough {
		return nil
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack lets the handler take over the connection, after which nothing is
// written for it.
func (w *bufferWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.hijacked = true
	}
	return conn, rw, err
}

// decide chooses the mode once the status is known. The headers must be
// set by then, as net/http requires.
func (w *bufferWriter) decide() {
	if w.mode != undecided {
		return
	}
	h := w.Header()
	switch {
	case w.status == http.StatusNotModified,
		w.status == http.StatusPartialContent,
		w.status == http.StatusSwitchingProtocols,
		!isJSON(h.Get("Content-Type")),
		h.Get("Content-Encoding") != "" && h.Get("Content-Encoding") != "identity":
		w.mode = passthrough
		w.ResponseWriter.WriteHeader(w.status)
	default:
		w.mode = buffering
	}
}

// isJSON reports whether the Content-Type ct is JSON:API or JSON.
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/vnd.api+json" || mt == "application/json")
}

// finish sends the response after the handler has returned: wrapped in a
// call of callback if it is a JSON document, as it is otherwise.
func (w *bufferWriter) finish(callback string, head bool) {
	if w.hijacked {
		return
	}
	if w.status == 0 {
		w.WriteHeader(http.StatusOK) // the handler wrote nothing
	}
	if w.mode == passthrough {
		return
	}
	status, doc := w.status, w.buf
	switch {
	case w.overflow:
		status = http.StatusInternalServerError
		doc = []byte(`{"errors":[{"status":"500","title":"Internal Server Error",` +
			`"detail":"The response is too large to be sent as JSONP."}]}`)
	case len(doc) == 0 && head:
		// HEAD: describe what GET would get, without a length.
		w.setHeaders(-1)
		w.ResponseWriter.WriteHeader(http.StatusOK)
		return
	case len(doc) == 0 || !json.Valid(doc):
		// No document, or one that could be anything once in a script.
		w.ResponseWriter.WriteHeader(status)
		_, _ = w.ResponseWriter.Write(doc)
		return
	}
	out := wrap(callback, doc, status)
	w.setHeaders(len(out))
	w.ResponseWriter.WriteHeader(http.StatusOK)
	if !head {
		_, _ = w.ResponseWriter.Write(out)
	}
}

// setHeaders makes the headers describe a script of n bytes (unknown if n
// is negative).
func (w *bufferWriter) setHeaders(n int) {
	h := w.Header()
	h.Del("ETag") // of the document, not the script
	h.Del("Content-Encoding")
	h.Del("Content-Length")
	if n >= 0 {
		h.Set("Content-Length", strconv.Itoa(n))
	}
	h.Set("Content-Type", "application/javascript; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
}
