package openapi_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gorestless/restless/resource"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/openapi"
	"github.com/gorestless/restless/sqlite"
)

// TestBulkDocumented checks that bulk PATCH and DELETE on collections are
// described, and that real bulk requests and replies match the
// description.
func TestBulkDocumented(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Exec(ctx, demo.Schema+demo.UsersSchema); err != nil {
		t.Fatal(err)
	}
	person, computer, users := demo.Person(), demo.Computer(), demo.Users()
	person.Bulk = true
	computer.Bulk, computer.NoDelete = true, true
	users.Bulk, users.BulkUnfiltered = true, true
	users.SoftDelete = &resource.SoftDelete{Column: "active"}
	res := []resource.Resource{person, computer, users}
	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api", BaseURL: base}
	desc, err := openapi.Handler(api, res...)
	if err != nil {
		t.Fatal(err)
	}
	api.Description = desc
	h, err := api.Handler(res...)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{api: api, res: res, h: h}
	doc := e.served(t)
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("the document does not validate: %v", err)
	}

	routes, err := api.Routes(res...)
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range routes {
		if rt.Kind != restless.CollectionRoute {
			continue
		}
		it := doc.Paths.Find(rt.Pattern)
		if it == nil {
			t.Fatalf("%s is not documented", rt.Pattern)
		}
		for _, m := range rt.Methods {
			if m != http.MethodHead && m != http.MethodOptions && it.GetOperation(m) == nil {
				t.Errorf("%s %s is not documented", m, rt.Pattern)
			}
		}
		for m := range it.Operations() {
			if !strings.Contains(strings.Join(rt.Methods, ","), m) {
				t.Errorf("%s %s is documented, the route does not answer it", m, rt.Pattern)
			}
		}
	}

	young := "filter[objects]=" + url.QueryEscape(`[{"name":"age","op":"lt","val":40}]`)
	for _, c := range []struct {
		method, target, body string
		status               int
	}{
		{"PATCH", "/api/person?" + young, `{"data":{"type":"person","attributes":{"age":40}}}`, 200},
		{"PATCH", "/api/computer?filter[vendor]=Dell", `{"data":{"type":"computer","attributes":{"vendor":"Acme"},"relationships":{"owner":{"data":{"type":"person","id":"2"}}}}}`, 200},
		{"DELETE", "/api/person?filter[name]=Tomasz", "", 200},
		{"DELETE", "/api/users", "", 200},
		{"DELETE", "/api/person", "", 400},
		{"PATCH", "/api/person?" + young, `{"data":{"type":"person","relationships":{"computers":{"data":[]}}}}`, 403},
	} {
		name := c.method + " " + c.target
		r := httptest.NewRequest(c.method, base+c.target, strings.NewReader(c.body))
		if c.body != "" {
			r.Header.Set("Content-Type", "application/vnd.api+json")
		}
		route, params := findRoute(t, doc, c.method, r.URL.Path)
		in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
			Options: &openapi3filter.Options{MultiError: true}}
		if c.status < 400 {
			if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
				t.Errorf("%s: the request does not match the document: %v", name, err)
			}
		}
		r = httptest.NewRequest(c.method, base+c.target, strings.NewReader(c.body))
		r.Header = in.Request.Header
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != c.status {
			t.Errorf("%s: %d %s, want %d", name, w.Code, w.Body, c.status)
			continue
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: w.Code, Header: w.Header(),
			Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true}}
		out.SetBodyBytes(w.Body.Bytes())
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			t.Errorf("%s: the response does not match the document: %v\n%s", name, err, w.Body)
		}
	}
}
