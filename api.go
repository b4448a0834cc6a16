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

// JobStore returns the API's database as the store of a job runner, for
// starting a.Jobs: a job completes in the transaction that creates its
// resource, so the runner must keep its jobs in this very database.
//
//	api.Jobs = &jobs.Runner{Workers: 4}
//	if err := api.Jobs.Start(ctx, api.JobStore()); err != nil { ... }
func (a *API) JobStore() jobs.Store {
	return jobs.Store{DB: a.DB, WriteDB: a.WriteDB, Dialect: a.Dialect, Logger: a.Logger}
}

// writeError is WriteError logging with the API's Logger.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, a.logger(), err)
}
