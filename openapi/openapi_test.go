package openapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/openapi"
	"github.com/gorestless/restless/resource"
	"github.com/gorestless/restless/sqlite"
)

const base = "http://example.com"

// env is an API over a fresh demo database, people, computers and
// users, with its description served.
type env struct {
	api *restless.API
	res []resource.Resource
	h   http.Handler
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Exec(ctx, demo.Schema); err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(ctx, demo.UsersSchema); err != nil {
		t.Fatal(err)
	}
	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api", BaseURL: base}
	res := []resource.Resource{demo.Person(), demo.Computer(), demo.Users()}
	desc, err := openapi.Handler(api, res...)
	if err != nil {
		t.Fatal(err)
	}
	api.Description = desc
	h, err := api.Handler(res...)
	if err != nil {
		t.Fatal(err)
	}
	return &env{api: api, res: res, h: h}
}

// do serves one request.
func (e *env) do(method, target, body string, header ...string) *httptest.ResponseRecorder {
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, base+target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/vnd.api+json")
	} else {
		r = httptest.NewRequest(method, base+target, nil)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// served fetches and loads the document the API serves.
func (e *env) served(t *testing.T) *openapi3.T {
	t.Helper()
	w := e.do("GET", "/api/openapi.json", "")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /api/openapi.json: %d %s", w.Code, w.Body)
	}
	doc, err := openapi3.NewLoader().LoadFromData(w.Body.Bytes())
	if err != nil {
		t.Fatalf("load the served document: %v", err)
	}
	return doc
}

func TestDocumentValidates(t *testing.T) {
	e := newEnv(t)
	doc, err := openapi.Document(e.api, e.res...)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("the document does not validate: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() || doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	if doc.Info.Title != "restless API" || doc.Info.Version != "1.0" {
		t.Errorf("info = %q %q", doc.Info.Title, doc.Info.Version)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != base {
		t.Errorf("servers = %v, want %s", doc.Servers, base)
	}
	if !strings.Contains(doc.Info.Description, "application/vnd.api+json") {
		t.Error("the description says nothing of content negotiation")
	}

	// The encoded document validates too, once loaded by the library.
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := loaded.Validate(t.Context()); err != nil {
		t.Fatalf("the encoded document does not validate: %v", err)
	}
}

// TestValidatorCatchesErrors makes sure the validation above means
// something: the same validator refuses a broken copy.
func TestValidatorCatchesErrors(t *testing.T) {
	e := newEnv(t)
	doc, err := openapi.Document(e.api, e.res...)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(doc)
	broken := bytes.Replace(b, []byte(`"format":"int64","type":["integer","null"]`), []byte(`"format":"int64","type":["integr","null"]`), 1)
	if bytes.Equal(b, broken) {
		t.Fatal("found no integer attribute to break")
	}
	loaded, err := openapi3.NewLoader().LoadFromData(broken)
	if err == nil {
		err = loaded.Validate(t.Context())
	}
	if err == nil {
		t.Fatal("a document with an unknown type validates")
	}
}

// operation is one path and method.
type operation struct{ path, method string }

func (o operation) String() string { return o.method + " " + o.path }

// documented returns the operations of doc.
func documented(doc *openapi3.T) []operation {
	var ops []operation
	for p, it := range doc.Paths.Map() {
		for m := range it.Operations() {
			ops = append(ops, operation{p, m})
		}
	}
	sortOps(ops)
	return ops
}

func sortOps(ops []operation) {
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].path != ops[j].path {
			return ops[i].path < ops[j].path
		}
		return ops[i].method < ops[j].method
	})
}

// TestEveryRouteDocumented builds the expected operations from the route
// table, {rel} expanded per relationship, and compares them with the
// served document. The methods of each path are the ones its OPTIONS
// answer lists in Allow (a to-one relationship's linkage takes no POST,
// say), all of which the route must list.
func TestEveryRouteDocumented(t *testing.T) {
	e := newEnv(t)
	routes, err := e.api.Routes(e.res...)
	if err != nil {
		t.Fatal(err)
	}
	var want []operation
	kinds := map[restless.RouteKind]bool{}
	for _, rt := range routes {
		kinds[rt.Kind] = true
		paths := []string{rt.Pattern}
		if rt.Kind == restless.RelatedRoute || rt.Kind == restless.RelationshipRoute {
			paths = nil
			for _, rel := range rt.Resource.Schema().Relationships {
				paths = append(paths, strings.Replace(rt.Pattern, "{rel}", rel.Name, 1))
			}
		}
		for _, p := range paths {
			w := e.do("OPTIONS", strings.Replace(p, "{id}", "1", 1), "")
			if w.Code != http.StatusNoContent {
				t.Fatalf("OPTIONS %s: %d", p, w.Code)
			}
			for m := range strings.SplitSeq(w.Header().Get("Allow"), ", ") {
				if !slices.Contains(rt.Methods, m) {
					t.Errorf("%s: Allow lists %s, the route does not", p, m)
				}
				if m != "OPTIONS" && m != "HEAD" {
					want = append(want, operation{p, m})
				}
			}
			for _, m := range rt.Methods {
				if m != "OPTIONS" && m != "HEAD" && !slices.Contains(strings.Split(w.Header().Get("Allow"), ", "), m) {
					t.Logf("%s: the route lists %s, which the endpoint answers with 405", p, m)
				}
			}
		}
	}
	for _, k := range []restless.RouteKind{restless.RootRoute, restless.DescriptionRoute, restless.CollectionRoute, restless.ItemRoute,
		restless.EvalRoute, restless.RelatedRoute, restless.RelationshipRoute, restless.OperationsRoute} {
		if !kinds[k] {
			t.Errorf("the routes have no kind %d", k)
		}
	}
	sortOps(want)
	got := documented(e.served(t))
	if !slices.Equal(got, want) {
		t.Errorf("the document's operations differ from the routes'.\n got: %v\nwant: %v", got, want)
	}

	// Document without a description lists no description.
	api := &restless.API{Prefix: "/api"}
	doc, err := openapi.Document(api, e.res...)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Paths.Value("/api/openapi.json") != nil {
		t.Error("Document lists /api/openapi.json for an API without a description")
	}
	if doc.Paths.Value("/api/person/{id}/relationships/computers") == nil {
		t.Error("Document does not list /api/person/{id}/relationships/computers")
	}
}

func TestServedDescription(t *testing.T) {
	e := newEnv(t)
	w := e.do("GET", "/api/openapi.json", "")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /api/openapi.json: %d %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/vnd.oai.openapi+json") {
		t.Errorf("Content-Type = %q", ct)
	}
	if !json.Valid(w.Body.Bytes()) {
		t.Fatal("the body is not JSON")
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(w.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("the served document does not validate: %v", err)
	}

	tag := w.Header().Get("ETag")
	if tag == "" {
		t.Fatal("no ETag")
	}
	if w := e.do("GET", "/api/openapi.json", "", "If-None-Match", tag); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("conditional GET: %d with %d bytes, want 304 and none", w.Code, w.Body.Len())
	}
	if w := e.do("HEAD", "/api/openapi.json", ""); w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Errorf("HEAD: %d with %d bytes", w.Code, w.Body.Len())
	}
	if w := e.do("DELETE", "/api/openapi.json", ""); w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD, OPTIONS" {
		t.Errorf("DELETE: %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}

	// The root links to it.
	w = e.do("GET", "/api", "")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /api: %d %s", w.Code, w.Body)
	}
	var root struct {
		Links map[string]string `json:"links"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &root); err != nil {
		t.Fatal(err)
	}
	if got := root.Links["describedby"]; got != base+"/api/openapi.json" {
		t.Errorf("links.describedby = %q, want %s/api/openapi.json", got, base)
	}
	if doc.Paths.Value("/api/openapi.json").Get == nil {
		t.Error("the document does not list itself")
	}
}

// schemaAt follows the properties path from the component schema name.
func schemaAt(t *testing.T, doc *openapi3.T, name string, path ...string) *openapi3.Schema {
	t.Helper()
	ref := doc.Components.Schemas[name]
	if ref == nil {
		t.Fatalf("no schema %q", name)
	}
	s := ref.Value
	for _, p := range path {
		r := s.Properties[p]
		if r == nil {
			t.Fatalf("schema %q has no %s", name, strings.Join(path, "."))
		}
		s = r.Value
	}
	return s
}

func TestSchemas(t *testing.T) {
	e := newEnv(t)
	doc := e.served(t)

	age := schemaAt(t, doc, "person", "attributes", "age")
	if !age.Type.Includes("integer") || age.Format != "int64" {
		t.Errorf("person.attributes.age = %v/%s, want integer/int64", age.Type.Slice(), age.Format)
	}
	birth := schemaAt(t, doc, "person", "attributes", "birth_date")
	if !birth.Type.Includes("string") || birth.Format != "date" {
		t.Errorf("person.attributes.birth_date = %v/%s, want string/date", birth.Type.Slice(), birth.Format)
	}
	if !birth.Type.IncludesNull() {
		t.Error("person.attributes.birth_date may not be null")
	}
	bought := schemaAt(t, doc, "computer", "attributes", "purchase_time")
	if !bought.Type.Includes("string") || bought.Format != "date-time" {
		t.Errorf("computer.attributes.purchase_time = %v/%s, want string/date-time", bought.Type.Slice(), bought.Format)
	}
	active := schemaAt(t, doc, "users", "attributes", "active")
	if !active.Type.Includes("boolean") {
		t.Errorf("users.attributes.active = %v, want boolean", active.Type.Slice())
	}
	if typ := schemaAt(t, doc, "person", "type"); !slices.Equal(typ.Enum, []any{"person"}) {
		t.Errorf("person.type enum = %v, want [person]", typ.Enum)
	}
	if !schemaAt(t, doc, "users", "attributes", "password").WriteOnly {
		t.Error("users.attributes.password is not writeOnly")
	}
	if !schemaAt(t, doc, "users", "attributes", "created").ReadOnly {
		t.Error("users.attributes.created is not readOnly")
	}
	if got := schemaAt(t, doc, "person.collection", "meta", "total"); !got.Type.Is("integer") {
		t.Errorf("meta.total = %v", got.Type.Slice())
	}
	src := schemaAt(t, doc, "Error", "source")
	for _, m := range []string{"pointer", "parameter", "header"} {
		if src.Properties[m] == nil {
			t.Errorf("error source has no %s", m)
		}
	}

	// A to-one's linkage is an identifier or null; a to-many's a list.
	owner := doc.Components.Schemas["computer.owner.linkage"].Value
	if len(owner.OneOf) != 2 || owner.OneOf[0].Ref != "#/components/schemas/person.identifier" || !owner.OneOf[1].Value.Type.Is("null") {
		t.Errorf("computer.owner.linkage = %+v", owner)
	}
	if comps := doc.Components.Schemas["person.computers.linkage"].Value; !comps.Type.Is("array") {
		t.Errorf("person.computers.linkage is %v, not an array", comps.Type.Slice())
	}

	// The collection takes the query parameters, fields[TYPE] per type.
	list := doc.Paths.Value("/api/person").Get
	var names []string
	for _, p := range list.Parameters {
		names = append(names, p.Value.Name)
	}
	for _, n := range []string{"filter[objects]", "filter[single]", "filter[name]", "page[number]", "page[size]", "page[offset]",
		"page[limit]", "page[after]", "page[before]", "sort", "fields[person]", "fields[computer]", "fields[users]",
		"include", "withCount", "q"} {
		if !slices.Contains(names, n) {
			t.Errorf("GET /api/person takes no %s", n)
		}
	}
	var evalNames []string
	for _, p := range doc.Paths.Value("/api/eval/person").Get.Parameters {
		evalNames = append(evalNames, p.Value.Name)
	}
	for _, n := range []string{"functions", "q", "filter[objects]"} {
		if !slices.Contains(evalNames, n) {
			t.Errorf("GET /api/eval/person takes no %s", n)
		}
	}

	// Every operation answers in JSON:API and documents its errors.
	for p, it := range doc.Paths.Map() {
		for m, op := range it.Operations() {
			for code, r := range op.Responses.Map() {
				for ct := range r.Value.Content {
					if ct != "application/vnd.api+json" && p != "/api/openapi.json" &&
						(p != "/api/operations" || ct != `application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"`) {
						t.Errorf("%s %s %s: media type %s", m, p, code, ct)
					}
				}
			}
			if p != "/api/openapi.json" && op.Responses.Value("400") == nil {
				t.Errorf("%s %s: no 400", m, p)
			}
		}
	}
	if doc.Paths.Value("/api/person").Post.Responses.Value("415") == nil {
		t.Error("POST /api/person: no 415")
	}
}

// TestResponsesMatchDocument sends real requests and validates them, and
// the API's responses, against the served document with
// kin-openapi's openapi3filter.
func TestResponsesMatchDocument(t *testing.T) {
	e := newEnv(t)
	doc := e.served(t)
	cursor := `application/vnd.api+json; profile="https://jsonapi.org/profiles/ethanresnick/cursor-pagination"`
	atomic := `application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"`
	cases := []struct {
		method, target, body string
		status               int
		header               []string
	}{
		{"GET", "/api", "", 200, nil},
		{"GET", "/api/openapi.json", "", 200, nil},
		{"GET", "/api/person", "", 200, nil},
		{"GET", "/api/person?include=computers,computers.owner&withCount=computers&fields[person]=name,age,computers&sort=-age,name&page[number]=1&page[size]=2", "", 200, nil},
		{"GET", "/api/person?page[offset]=1&page[limit]=1", "", 200, nil},
		{"GET", "/api/person?page[size]=2", "", 200, []string{"Accept", cursor}},
		{"GET", "/api/person?filter[single]=1&filter[name]=Jeffrey", "", 200, nil},
		{"GET", "/api/person?filter[objects]=" + url.QueryEscape(`[{"name":"age","op":"ge","val":30},{"or":[{"name":"name","op":"like","val":"J%"},{"not":{"name":"age","op":"is_null"}}]}]`), "", 200, nil},
		{"GET", "/api/person?q=" + url.QueryEscape(`{"filters":[{"name":"computers","op":"any","val":{"name":"vendor","op":"eq","val":"Dell"}}],"order_by":[{"field":"age","direction":"desc"}]}`), "", 200, nil},
		{"GET", "/api/computer?sort=owner.name&include=owner", "", 200, nil},
		{"GET", "/api/person/1?include=computers", "", 200, nil},
		{"GET", "/api/person/1/computers?sort=-name", "", 200, nil},
		{"GET", "/api/computer/1/owner", "", 200, nil},
		{"GET", "/api/person/1/relationships/computers", "", 200, nil},
		{"GET", "/api/computer/1/relationships/owner", "", 200, nil},
		{"GET", "/api/eval/person?functions=" + url.QueryEscape(`[{"name":"sum","field":"age"},{"name":"count","field":"id"},{"name":"max","field":"birth_date"}]`), "", 200, nil},
		{"GET", "/api/person/99", "", 404, nil},
		{"GET", "/api/person/1/computers?page[size]=1000", "", 400, nil},
		{"GET", "/api/person", "", 406, []string{"Accept", "text/html"}},
		{"POST", "/api/person", `{"data":{"type":"person","lid":"a","attributes":{"name":"Ada","birth_date":"1815-12-10","age":36},"relationships":{"computers":{"data":[{"type":"computer","id":"3"}]}}}}`, 201, nil},
		{"POST", "/api/person", `{"data":{"type":"person","attributes":{"name":"Jeffrey"}}}`, 409, nil},
		{"POST", "/api/person", `{"data":{"type":"person","attributes":{"age":"old"}}}`, 400, nil},
		{"PATCH", "/api/person/1", `{"data":{"type":"person","id":"1","attributes":{"age":36}}}`, 200, nil},
		{"PATCH", "/api/computer/2/relationships/owner", `{"data":{"type":"person","id":"2"}}`, 204, nil},
		{"PATCH", "/api/computer/2/relationships/owner", `{"data":null}`, 204, nil},
		{"POST", "/api/person/2/relationships/computers", `{"data":[{"type":"computer","id":"2"}]}`, 204, nil},
		{"DELETE", "/api/person/2/relationships/computers", `{"data":[{"type":"computer","id":"2"}]}`, 204, nil},
		{"DELETE", "/api/computer/1", "", 204, nil},
		{"POST", "/api/users", `{"data":{"type":"users","id":"mom@example.com","attributes":{"password":"x","gender":"f","active":true}}}`, 201, nil},
		{"POST", "/api/users", `{"data":{"type":"users","id":"kid@example.com","attributes":{"password":"y"},"relationships":{"mom":{"data":{"type":"users","id":"mom@example.com"}}}}}`, 201, nil},
		{"POST", "/api/users/kid@example.com/relationships/friends", `{"data":[{"type":"users","id":"mom@example.com","meta":{"met":"space camp"}}]}`, 204, nil},
		{"GET", "/api/users/kid@example.com/relationships/friends", "", 200, nil},
		{"GET", "/api/users/kid@example.com?include=mom,friends", "", 200, nil},
		{"GET", "/api/users/kid@example.com/mom", "", 200, nil},
		{"GET", "/api/users/mom@example.com/mom", "", 200, nil},
		{"GET", "/api/eval/users?functions=" + url.QueryEscape(`[{"name":"count","field":"id"}]`), "", 200, nil},
		{"POST", "/api/operations", `{"atomic:operations":[{"op":"add","data":{"type":"person","lid":"z","attributes":{"name":"Zed"}}},` +
			`{"op":"add","data":{"type":"computer","attributes":{"name":"zc"},"relationships":{"owner":{"data":{"type":"person","lid":"z"}}}}},` +
			`{"op":"remove","ref":{"type":"computer","id":"3"}}]}`, 200, []string{"Content-Type", atomic}},
		{"POST", "/api/operations", `{"atomic:operations":[{"op":"remove","ref":{"type":"computer","id":"2"}}]}`, 204, []string{"Content-Type", atomic}},
		{"POST", "/api/operations", `{"atomic:operations":[{"op":"remove","ref":{"type":"computer","id":"2"}}]}`, 404, []string{"Content-Type", atomic}},
		{"POST", "/api/operations", `{"atomic:operations":[]}`, 415, nil},
	}
	for _, c := range cases {
		name := c.method + " " + c.target
		r := httptest.NewRequest(c.method, base+c.target, strings.NewReader(c.body))
		if c.body != "" {
			r.Header.Set("Content-Type", "application/vnd.api+json")
		}
		for i := 0; i+1 < len(c.header); i += 2 {
			r.Header.Set(c.header[i], c.header[i+1])
		}
		route, params := findRoute(t, doc, c.method, r.URL.Path)
		in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
			Options: &openapi3filter.Options{MultiError: true}}
		if c.status < 400 {
			if err := openapi3filter.ValidateRequest(t.Context(), in); err != nil {
				t.Errorf("%s: the request does not match the document: %v", name, err)
			}
		}
		r = httptest.NewRequest(c.method, base+c.target, strings.NewReader(c.body))
		r.Header = in.Request.Header
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		if w.Code != c.status {
			t.Errorf("%s: %d %s, want %d", name, w.Code, w.Body, c.status)
			continue
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: w.Code, Header: w.Header(),
			Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true}}
		out.SetBodyBytes(w.Body.Bytes())
		if err := openapi3filter.ValidateResponse(t.Context(), out); err != nil {
			t.Errorf("%s: the response does not match the document: %v\n%s", name, err, w.Body)
		}
	}
}

// findRoute finds the operation of method and path in doc: the path
// template that matches with the most literal segments.
func findRoute(t *testing.T, doc *openapi3.T, method, path string) (*routers.Route, map[string]string) {
	t.Helper()
	segs := strings.Split(path, "/")
	best, bestLiterals := "", -1
	var bestParams map[string]string
	for tmpl := range doc.Paths.Map() {
		ts := strings.Split(tmpl, "/")
		if len(ts) != len(segs) {
			continue
		}
		params, literals, ok := map[string]string{}, 0, true
		for i, s := range ts {
			switch {
			case strings.HasPrefix(s, "{"):
				params[strings.Trim(s, "{}")] = segs[i]
			case s == segs[i]:
				literals++
			default:
				ok = false
			}
		}
		if ok && literals > bestLiterals {
			best, bestLiterals, bestParams = tmpl, literals, params
		}
	}
	if best == "" {
		t.Fatalf("no path of the document matches %s", path)
	}
	item := doc.Paths.Value(best)
	op := item.GetOperation(method)
	if op == nil {
		t.Fatalf("the document has no %s %s", method, best)
	}
	return &routers.Route{Spec: doc, Server: doc.Servers[0], Path: best, PathItem: item, Method: method, Operation: op}, bestParams
}

func TestHandlerErrors(t *testing.T) {
	if _, err := openapi.Handler(&restless.API{Prefix: "api"}, demo.Person()); err == nil {
		t.Error("a prefix without a slash is accepted")
	}
	p := demo.Person()
	if _, err := openapi.Document(&restless.API{Prefix: "/api"}, p, p); err == nil {
		t.Error("two resources of one type are accepted")
	}
}

// TestNoPrefix serves the root at /.
func TestNoPrefix(t *testing.T) {
	doc, err := openapi.Document(&restless.API{}, demo.Person(), demo.Computer())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", "/person", "/person/{id}", "/eval/person", "/computer/{id}/relationships/owner"} {
		if doc.Paths.Value(p) == nil {
			t.Errorf("no path %s", p)
		}
	}
}

// TestUnservedTarget leaves out the endpoints of a relationship whose type
// the API does not serve: they answer 404.
func TestUnservedTarget(t *testing.T) {
	api := &restless.API{Prefix: "/api"}
	doc, err := openapi.Document(api, demo.Computer())
	if err != nil {
		t.Fatal(err)
	}
	if doc.Paths.Value("/api/computer/{id}/owner") != nil {
		t.Error("the related endpoint of an unserved type is listed")
	}
	if doc.Components.Schemas["computer.relationships"].Value.Properties["owner"] == nil {
		t.Error("the relationship is missing from the resource object")
	}
}
