package negotiate_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gorestless/restless/negotiate"
)

func ExampleAccept() {
	supported := []string{"https://jsonapi.org/ext/atomic"}

	ext, profile, err := negotiate.Accept(`application/vnd.api+json; ext="https://jsonapi.org/ext/atomic", */*;q=0.1`, supported)
	fmt.Println(ext, profile, err)

	// Only JSON:API instances with a charset: served as plain JSON:API
	// through the wildcard.
	ext, profile, err = negotiate.Accept("application/vnd.api+json; charset=utf-8, */*", supported)
	fmt.Println(ext, profile, err)

	_, _, err = negotiate.Accept("text/html", supported)
	fmt.Println(err)
	// Output:
	// [https://jsonapi.org/ext/atomic] [] <nil>
	// [] [] <nil>
	// restless: The Accept header does not allow the media type application/vnd.api+json.
}

func ExampleNegotiator_Handler() {
	n := &negotiate.Negotiator{Extensions: []string{"https://jsonapi.org/ext/atomic"}}
	h := n.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, _ := negotiate.FromContext(r.Context())
		// Apply the requested extensions, then say so in the Content-Type.
		w.Header().Set("Content-Type", negotiate.FormatMediaType(res.AcceptExt, nil))
		fmt.Fprintln(w, `{"atomic:results":[]}`)
	}))

	r := httptest.NewRequest(http.MethodPost, "/operations", strings.NewReader(`{"atomic:operations":[]}`))
	r.Header.Set("Content-Type", `application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"`)
	r.Header.Set("Accept", `application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"`)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Content-Type"), w.Header().Get("Vary"))

	r = httptest.NewRequest(http.MethodPost, "/articles", strings.NewReader(`{}`))
	r.Header.Set("Content-Type", "application/json")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Print(w.Body.String())
	// Output:
	// 200 application/vnd.api+json; ext="https://jsonapi.org/ext/atomic" Accept
	// 415 application/vnd.api+json
	// {"errors":[{"status":"415","title":"Unsupported Media Type","detail":"The Content-Type of a request body must be application/vnd.api+json.","source":{"header":"Content-Type"}}],"jsonapi":{"version":"1.1"}}
}
