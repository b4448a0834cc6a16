package jsonp_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/gorestless/restless/jsonp"
)

func ExampleHandler() {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.api+json")
		if r.URL.Path != "/api/person/1" {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"errors":[{"status":"404","title":"Not Found"}]}`)
			return
		}
		io.WriteString(w, `{"data":{"type":"person","id":"1"}}`)
	})
	h := jsonp.Handler(api)

	for _, target := range []string{
		"/api/person/1?callback=foo",
		"/api/person/9?callback=foo",
		"/api/person/1?callback=alert(1)",
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		fmt.Println(w.Code, w.Header().Get("Content-Type"))
		fmt.Println(w.Body.String())
	}
	// Output:
	// 200 application/javascript; charset=utf-8
	// /**/foo({"data":{"type":"person","id":"1"},"meta":{"status":200}});
	// 200 application/javascript; charset=utf-8
	// /**/foo({"errors":[{"status":"404","title":"Not Found"}],"meta":{"status":404}});
	// 400 application/vnd.api+json
	// {"errors":[{"status":"400","title":"Bad Request","detail":"The callback parameter must be a JavaScript identifier or dotted path of at most 128 characters, such as jQuery123_456 or app.handlers.person.","source":{"parameter":"callback"}}],"jsonapi":{"version":"1.1"}}
}

func ExampleNew() {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.api+json")
		io.WriteString(w, `{"data":[]}`)
	})
	// Public data: serve JSONP to logged-in users too, under ?jsonp=.
	h := jsonp.New(jsonp.Options{Param: "jsonp", AllowCredentials: true})(api)

	r := httptest.NewRequest("GET", "/api/news?jsonp=app.show", nil)
	r.Header.Set("Cookie", "session=1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Body.String())
	// Output:
	// /**/app.show({"data":[],"meta":{"status":200}});
}

func ExampleValid() {
	for _, cb := range []string{"jQuery123_456", "app.handlers.person", "alert(1)", "new"} {
		fmt.Println(cb, jsonp.Valid(cb, 0))
	}
	// Output:
	// jQuery123_456 true
	// app.handlers.person true
	// alert(1) false
	// new false
}
