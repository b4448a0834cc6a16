package middleware_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/middleware"
)

func ExampleChain() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("something broke")
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			restless.WriteError(w, r, err)
			return
		}
		fmt.Fprintf(w, "read %d bytes\n", len(body))
	})
	h := middleware.Chain(
		middleware.RequestID,
		middleware.Recover,
		middleware.MaxBytes(16),
	)(handler)

	for _, req := range []*http.Request{
		httptest.NewRequest("POST", "/upload", strings.NewReader("small")),
		httptest.NewRequest("POST", "/upload", strings.NewReader(strings.Repeat("x", 100))),
		httptest.NewRequest("GET", "/panic", nil),
	} {
		req.Header.Set("X-Request-Id", "example-1")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get("X-Request-Id"), rec.Header().Get("Content-Type"))
		fmt.Print(rec.Body)
	}
	// Output:
	// 200 example-1 text/plain; charset=utf-8
	// read 5 bytes
	// 413 example-1 application/vnd.api+json
	// {"errors":[{"id":"example-1","status":"413","title":"Request Entity Too Large","detail":"The request body is larger than 16 bytes."}],"jsonapi":{"version":"1.1"}}
	// 500 example-1 application/vnd.api+json
	// {"errors":[{"id":"example-1","status":"500","title":"Internal Server Error","detail":"The server could not complete the request."}],"jsonapi":{"version":"1.1"}}
}
