package middleware_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gorestless/restless/middleware"
)

func ExampleNewCORS() {
	c, err := middleware.NewCORS(middleware.CORSOptions{
		AllowedOrigins:   []string{"https://app.example.com"},
		AllowCredentials: true,
	})
	if err != nil {
		panic(err)
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/articles/1")
		w.WriteHeader(http.StatusCreated)
	})
	h := middleware.Chain(middleware.RequestID, middleware.Recover, c.Handler)(api)

	// A browser preflights a JSON:API write: its Content-Type is not
	// CORS-safelisted.
	for _, origin := range []string{"https://app.example.com", "https://evil.example"} {
		req := httptest.NewRequest("OPTIONS", "/articles", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Printf("preflight from %s: %d, Access-Control-Allow-Origin %q\n",
			origin, rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}

	// The POST that follows can read Location.
	req := httptest.NewRequest("POST", "/articles", nil)
	req.Header.Set("Origin", "https://app.example.com")
	req.Header.Set("Content-Type", "application/vnd.api+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Printf("POST: %d, Access-Control-Expose-Headers %q\n",
		rec.Code, rec.Header().Get("Access-Control-Expose-Headers"))

	// Credentials with a wildcard origin are refused.
	_, err = middleware.NewCORS(middleware.CORSOptions{
		AllowedOrigins:   []string{"https://*.example.com"},
		AllowCredentials: true,
	})
	fmt.Println(err)
	// Output:
	// preflight from https://app.example.com: 204, Access-Control-Allow-Origin "https://app.example.com"
	// preflight from https://evil.example: 204, Access-Control-Allow-Origin ""
	// POST: 201, Access-Control-Expose-Headers "Location, Content-Location, Etag, Retry-After, Preference-Applied, X-Request-Id"
	// middleware: NewCORS: AllowCredentials with origin "https://*.example.com" would let any matching site read credentialed responses; list exact origins
}
