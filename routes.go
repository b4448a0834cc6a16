package restless

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/negotiate"
	"github.com/gorestless/restless/resource"
)

// RouteKind says what a route serves.
type RouteKind int

// The route kinds.
const (
	// CollectionRoute is a collection: GET lists, POST creates.
	CollectionRoute RouteKind = iota + 1
	// ItemRoute is one resource: GET, PATCH, DELETE.
	ItemRoute
	// EvalRoute is function evaluation over a collection.
	EvalRoute
	// RelatedRoute is a relationship's related resources.
	RelatedRoute
	// RelationshipRoute is a relationship's linkage.
	RelationshipRoute
	// RootRoute is the API's root: GET {Prefix} describes every type.
	RootRoute
	// DescriptionRoute is the API's description at {Prefix}/openapi.json.
	DescriptionRoute
	// JobRoute is a job of an asynchronous creation at
	// {Prefix}/jobs/{id}, served when the API has Jobs.
	JobRoute
	// OperationsRoute is the Atomic Operations endpoint at
	// {Prefix}/operations (see [API.Operations]).
	OperationsRoute
)

// A Route is one endpoint an API serves. The route table drives the
// handler, the Allow header of 405 replies, and the documents that
// describe the API.
type Route struct {
	// Pattern is the ServeMux pattern without a method, such as
	// "/api/person/{id}".
	Pattern string
	// Kind says what the route serves.
	Kind RouteKind
	// Methods lists the methods the route answers, OPTIONS included.
	Methods []string
	// Resource is the resource served.
	Resource resource.Resource
	// Handler serves the route.
	Handler http.Handler
}

// ReservedPaths are the collection paths restless serves itself under
// the API's Prefix; no resource may use one.
var ReservedPaths = []string{"eval", "openapi.json", "jobs", "operations"}

// Collection returns the handler of a collection endpoint: GET lists the
// resources a page at a time and POST creates one (when res is a
// resource.Creator); PATCH and DELETE change or delete every resource a
// filter selects when the schema allows bulk changes (Schema.Bulk).
// Other methods get 405 with Allow. The handler does no content
// negotiation: wrap it with [Negotiate], as [API.Handler] does.
// Collection panics if res's schema cannot be served.
//
//	mux.Handle("/api/person", api.Collection(person))
func (a *API) Collection(res resource.Resource) http.Handler {
	return &collectionHandler{api: a, t: a.register(res)}
}

// Item returns the handler of an individual resource endpoint: GET fetches
// the resource, PATCH updates it (when res is a resource.Updater) and
// DELETE deletes it (when res is a resource.Deleter). Item reads the id
// from r.PathValue("id"); routers other than ServeMux must call
// r.SetPathValue. Item panics if res's schema cannot be served.
//
//	mux.Handle("/api/person/{id}", api.Item(person))
func (a *API) Item(res resource.Resource) http.Handler {
	return &itemHandler{api: a, t: a.register(res)}
}

// Related returns the handler of the related-resource endpoints of res,
// such as GET /api/person/1/computers (a collection that takes filters,
// sorting, pagination, fields and include) and GET /api/computer/1/owner
// (the object or null). It reads r.PathValue("id") and r.PathValue("rel").
// Related panics if res's schema cannot be served.
//
//	mux.Handle("/api/person/{id}/{rel}", api.Related(person))
func (a *API) Related(res resource.Resource) http.Handler {
	return &relHandler{api: a, t: a.register(res)}
}

// Relationship returns the handler of the relationship endpoints of res,
// such as /api/person/1/relationships/computers: GET answers the linkage;
// PATCH replaces it; POST adds to and DELETE removes from a to-many. It
// reads r.PathValue("id") and r.PathValue("rel"). Relationship panics if
// res's schema cannot be served.
//
//	mux.Handle("/api/person/{id}/relationships/{rel}", api.Relationship(person))
func (a *API) Relationship(res resource.Resource) http.Handler {
	return &relHandler{api: a, t: a.register(res), linkage: true}
}

// Eval returns the handler of a function evaluation endpoint, Flask-Restless
// style: GET with functions=[{"name": "sum", "field": "age"}] (or the
// legacy q={"functions": [...]}) evaluates the functions over the
// resources the filters select and answers a document whose data is null
// and whose meta holds the results, keyed like "sum__age". The functions
// are count, sum, avg, min, max and count_distinct. Eval panics if res's
// schema cannot be served.
//
//	mux.Handle("/api/eval/person", api.Eval(person))
func (a *API) Eval(res resource.Resource) http.Handler {
	return &evalHandler{api: a, t: a.register(res)}
}

// Operations returns the handler of the Atomic Operations endpoint
// (https://jsonapi.org/ext/atomic), conventionally mounted at
// {Prefix}/operations as [API.Handler] does. A POST carries an
// "atomic:operations" array: "add" creates a resource from "data" (whose
// "lid" later operations may use in a "ref" or in relationship linkage),
// "update" changes a resource named by "data" or "ref", "remove" deletes
// the resource "ref" names, and with "ref.relationship" the three change a
// relationship ("add" and "remove" only of a to-many). The operations run
// in order in ONE transaction with the same checks and hooks as the other
// endpoints: if one fails, none is kept, and the error document's
// source.pointer starts with /atomic:operations/N. Success is a 200 with
// "atomic:results" in operation order, or a 204 when no operation returns
// data. Targets given as "href" are not supported (400), nor is an "add"
// of a [Provisioner] resource (403), whose creation cannot join the
// transaction.
//
// The handler negotiates its own content: the request's Content-Type
// must be application/vnd.api+json with ext="https://jsonapi.org/ext/atomic"
// (else 415) and Accept must allow it (else 406). Do not wrap it with
// [Negotiate], which refuses the extension. The types it serves are res
// and those of the API's other handlers.
//
//	mux.Handle("/api/operations", api.Operations(person, computer))
func (a *API) Operations(res ...resource.Resource) http.Handler {
	for _, r := range res {
		a.register(r)
	}
	return newOperations(a)
}

// Routes returns the route table of the given resources under the API's
// Prefix. It reports schemas that cannot be served and two resources with
// the same type or path.
func (a *API) Routes(res ...resource.Resource) ([]Route, error) {
	prefix := strings.TrimSuffix(a.Prefix, "/")
	if prefix != "" && !strings.HasPrefix(prefix, "/") {
		return nil, fmt.Errorf("restless: prefix %q must start with a slash", a.Prefix)
	}
	types := map[string]bool{}
	paths := map[string]bool{}
	root := &rootHandler{api: a}
	routes := []Route{{Pattern: prefix, Kind: RootRoute, Methods: []string{"GET", "HEAD", "OPTIONS"}, Handler: root}}
	if prefix == "" {
		routes[0].Pattern = "/{$}"
	}
	if a.Description != nil {
		routes = append(routes, Route{Pattern: prefix + "/openapi.json", Kind: DescriptionRoute, Methods: []string{"GET", "HEAD", "OPTIONS"}, Handler: a.Description})
	}
	if a.Jobs != nil {
		routes = append(routes, Route{Pattern: prefix + "/jobs/{id}", Kind: JobRoute, Methods: []string{"GET", "HEAD", "OPTIONS"}, Handler: &jobHandler{api: a}})
	}
	routes = append(routes, Route{Pattern: prefix + "/operations", Kind: OperationsRoute,
		Methods: strings.Split(operationsAllow, ", "), Handler: newOperations(a)})
	e := a.engine()
	for _, r := range res {
		t, err := e.Register(r)
		if err != nil {
			return nil, err
		}
		s := t.Schema()
		path := s.CollectionPath()
		if slices.Contains(ReservedPaths, path) {
			return nil, fmt.Errorf("restless: type %q: the path %q is reserved", s.Type, path)
		}
		if strings.ContainsAny(path, "/{}?# ") {
			return nil, fmt.Errorf("restless: type %q: path %q must be one URL segment", s.Type, path)
		}
		if types[s.Type] {
			return nil, fmt.Errorf("restless: two resources have the type %q", s.Type)
		}
		if paths[path] {
			return nil, fmt.Errorf("restless: two resources have the path %q", path)
		}
		types[s.Type], paths[path] = true, true
		ch := &collectionHandler{api: a, t: t}
		root.types = append(root.types, t)
		ih := &itemHandler{api: a, t: t}
		routes = append(routes,
			Route{Pattern: prefix + "/" + path, Kind: CollectionRoute, Methods: strings.Split(ch.allow(), ", "), Resource: r, Handler: ch},
			Route{Pattern: prefix + "/" + path + "/{id}", Kind: ItemRoute, Methods: strings.Split(ih.allow(), ", "), Resource: r, Handler: ih},
		)
		if len(s.Relationships) > 0 {
			routes = append(routes,
				Route{Pattern: prefix + "/" + path + "/{id}/{rel}", Kind: RelatedRoute,
					Methods: []string{"GET", "HEAD", "OPTIONS"}, Resource: r, Handler: &relHandler{api: a, t: t}},
				Route{Pattern: prefix + "/" + path + "/{id}/relationships/{rel}", Kind: RelationshipRoute,
					Methods: []string{"GET", "HEAD", "PATCH", "POST", "DELETE", "OPTIONS"}, Resource: r, Handler: &relHandler{api: a, t: t, linkage: true}},
			)
		}
		if !s.NoEval {
			routes = append(routes, Route{Pattern: prefix + "/eval/" + path, Kind: EvalRoute,
				Methods: []string{"GET", "HEAD", "OPTIONS"}, Resource: r, Handler: &evalHandler{api: a, t: t}})
		}
	}
	return routes, nil
}

// Handler returns one handler serving every endpoint of the resources
// under the API's Prefix, behind JSON:API content negotiation ([Negotiate]);
// the Atomic Operations endpoint {Prefix}/operations ([API.Operations])
// and the description negotiate their own media types.
// Unknown paths get a 404 error document and unsupported methods a 405
// with Allow; OPTIONS is answered with Allow.
func (a *API) Handler(res ...resource.Resource) (http.Handler, error) {
	routes, err := a.Routes(res...)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	// The description (not a JSON:API document) and the operations
	// endpoint (which requires an extension) negotiate their own media
	// types.
	own := map[string]http.Handler{}
	for _, rt := range routes {
		if rt.Kind == DescriptionRoute || rt.Kind == OperationsRoute {
			own[rt.Pattern] = rt.Handler
			continue
		}
		mux.Handle(rt.Pattern, rt.Handler)
	}
	n := &negotiate.Negotiator{ErrorHandler: a.writeError}
	h := n.Handler(a.notFound(mux))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if oh, ok := own[r.URL.Path]; ok {
			oh.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}), nil
}

// NotFound wraps mux so that requests it has no pattern for get a JSON:API
// 404 error document instead of ServeMux's text reply.
func NotFound(mux *http.ServeMux) http.Handler { return notFound(mux, WriteError) }

func (a *API) notFound(mux *http.ServeMux) http.Handler { return notFound(mux, a.writeError) }

func notFound(mux *http.ServeMux, writeError func(http.ResponseWriter, *http.Request, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			writeError(w, r, &jsonapi.Error{Status: http.StatusNotFound, Title: "Not Found",
				Detail: "No endpoint exists at this path."})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// Negotiate wraps next in JSON:API content negotiation (package negotiate)
// whose failures are written by [WriteError], so they carry the request id
// like every other error. It supports no extension: a request whose
// Content-Type applies one, the Atomic Operations extension included, gets
// a 415; the operations endpoint ([API.Operations]) negotiates on its own.
func Negotiate(next http.Handler) http.Handler {
	n := &negotiate.Negotiator{ErrorHandler: WriteError}
	return n.Handler(next)
}
