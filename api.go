package restless

import (
	"database/sql"
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/gorestless/restless/dialect"
	"github.com/gorestless/restless/internal/engine"
	"github.com/gorestless/restless/jobs"
	"github.com/gorestless/restless/resource"
)

// Defaults of the zero fields of [API].
const (
	// DefaultMaxBodyBytes is the request-body limit.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultMaxIncluded is the most included resources of a response.
	DefaultMaxIncluded = engine.DefaultMaxIncluded
	// DefaultMaxBulk is the most resources one bulk PATCH or DELETE may
	// change.
	DefaultMaxBulk = engine.DefaultMaxBulk
	// DefaultPreparedStatements is the size of each prepared-statement
	// cache.
	DefaultPreparedStatements = engine.DefaultPreparedStatements
	// DefaultMaxOperations is the most operations of one atomic request.
	DefaultMaxOperations = 100
)

// An API serves JSON:API endpoints for Resources from one database. Its
// fields are read by the handlers it returns; set them before the first
// handler is made (Collection, Item, ..., Handler or Routes) and do not
// change them afterwards, nor copy the API. The handlers keep no state
// between requests, so any number of processes can serve one database.
type API struct {
	// DB runs reads. It is required.
	DB *sql.DB
	// WriteDB runs writes; nil means DB. With SQLite, give it a single
	// connection opened with _txlock=immediate (see package sqlite).
	WriteDB *sql.DB
	// Dialect describes the database. Nil means standard SQL with
	// question-mark placeholders and no error classification; use
	// sqlite.Dialect or postgres.Dialect.
	Dialect dialect.Dialect
	// Prefix is the URL path under which the collections live, such as
	// "/api". Links and Handler's routes use it.
	Prefix string
	// BaseURL is the scheme and host of links, such as
	// "https://example.com". Empty means the request's own, taken from
	// X-Forwarded-Proto and X-Forwarded-Host only when TrustForwarded is
	// set.
	BaseURL string
	// TrustForwarded says a trusted proxy sets X-Forwarded-Proto and
	// X-Forwarded-Host; otherwise clients could forge the links.
	TrustForwarded bool
	// PageSize is the default page size; zero means 10.
	PageSize int
	// MaxPageSize is the largest page size; zero means 100.
	MaxPageSize int
	// MaxBodyBytes limits request bodies; zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxOperations is the most operations of one request to the atomic
	// operations endpoint ([API.Operations]); a request with more gets a
	// 413. Zero means DefaultMaxOperations.
	MaxOperations int
	// MaxIncluded is the most included resources of one response; a
	// request for more is a 400. Zero means DefaultMaxIncluded.
	MaxIncluded int
	// IncludeDepth is the longest include path, such as 3 for
	// "a.b.c"; zero means 3.
	IncludeDepth int
	// IncludePaths is the most include paths of one request; zero
	// means 10.
	IncludePaths int
	// MaxBulk is the most resources one bulk PATCH or DELETE on a
	// collection may change (see resource.Schema's Bulk); a filter that
	// selects more is refused with 400 before anything is written. Zero
	// means DefaultMaxBulk.
	MaxBulk int
	// PreparedStatements is how many prepared statements the API keeps
	// for reads, and as many for writes; zero means
	// DefaultPreparedStatements and a negative number turns both caches
	// off (behind a pooler such as PgBouncer in transaction mode, say).
	PreparedStatements int
	// Logger receives the causes of errors the client is not shown. Nil
	// means slog.Default().
	Logger *slog.Logger

	// Description, if set, serves the API's description (an OpenAPI
	// document, say, from package openapi) at {Prefix}/openapi.json; the
	// root endpoint links to it as "describedby".
	Description http.Handler

	// Jobs runs the creations of resource.Provisioner resources in the
	// background and serves their jobs at {Prefix}/jobs/{id}; nil means a
	// POST to a Provisioner waits for the work. Start it with
	// [jobs.Runner.Start].
	Jobs *jobs.Runner

	// eng holds the *engine.Engine of every handler the API makes,
	// built from the fields above when the first handler is made.
	eng atomic.Value
}

// engine returns the API's engine, built from its fields the first time.
// After that it is one atomic load.
func (a *API) engine() *engine.Engine {
	if e, ok := a.eng.Load().(*engine.Engine); ok {
		return e
	}
	e := engine.New(engine.Config{
		DB:                 a.DB,
		WriteDB:            a.WriteDB,
		Dialect:            a.Dialect,
		PreparedStatements: a.PreparedStatements,
		MaxIncluded:        a.MaxIncluded,
		Logger:             a.Logger,
	})
	if !a.eng.CompareAndSwap(nil, e) {
		// Another goroutine made the first handler at the same time.
		return a.eng.Load().(*engine.Engine)
	}
	return e
}

// register makes res's type known to the API's engine, so other types'
// relationships, filters and includes can reach it, and returns it. A
// schema that cannot be served is a programmer's error: the handler
// constructors panic with it, as ServeMux.Handle does with a bad pattern.
func (a *API) register(res resource.Resource) *engine.Type {
	t, err := a.engine().Register(res)
	if err != nil {
		panic(err)
	}
	return t
}

func (a *API) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

func (a *API) maxBody() int64 {
	if a.MaxBodyBytes > 0 {
		return a.MaxBodyBytes
	}
	return DefaultMaxBodyBytes
}

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

// JobStore returns the API's database as the store of a job runner, for
// starting a.Jobs: a job completes in the transaction that creates its
// resource, so the runner must keep its jobs in this very database.
//
//	api.Jobs = &jobs.Runner{Workers: 4}
//	if err := api.Jobs.Start(ctx, api.JobStore()); err != nil { ... }
func (a *API) JobStore() jobs.Store {
	return jobs.Store{DB: a.DB, WriteDB: a.WriteDB, Dialect: a.Dialect, Logger: a.Logger}
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
