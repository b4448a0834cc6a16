package restless

import (
	"database/sql"
	"log/slog"
	"net/http"
	"slices"

	"github.com/gorestless/restless/negotiate"
	"github.com/gorestless/restless/query"
)

// DefaultMaxBodyBytes is the request-body limit of an API whose
// MaxBodyBytes is zero.
const DefaultMaxBodyBytes = 1 << 20

// An API serves JSON:API endpoints for Resources from one database. Its
// fields are read by the handlers it returns; set them before the first
// call of Collection, Item or Handler and do not change them afterwards.
// The handlers keep no state between requests, so any number of processes
// can serve one database.
type API struct {
	// DB runs reads. It is required.
	DB *sql.DB
	// WriteDB runs writes; nil means DB. With SQLite, give it a single
	// connection opened with _txlock=immediate (see package sqlite).
	WriteDB *sql.DB
	// Dialect describes the database. Nil means standard SQL with
	// question-mark placeholders and no error classification; use
	// sqlite.Dialect or postgres.Dialect.
	Dialect Dialect
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
	// collection may change (see [Schema].Bulk); a filter that selects
	// more is refused with 400 before anything is written. Zero means
	// DefaultMaxBulk.
	MaxBulk int
	// PreparedStatements is how many prepared statements the API keeps
	// for reads, and as many for writes, least recently used leaving
	// first; zero means DefaultPreparedStatements and a negative number
	// turns both caches off (behind a pooler such as PgBouncer in
	// transaction mode, say).
	PreparedStatements int
	// Logger receives the causes of errors the client is not shown. Nil
	// means slog.Default().
	Logger *slog.Logger

	// Description, if set, serves the API's description (an OpenAPI
	// document, say, from package openapi) at {Prefix}/openapi.json; the
	// root endpoint links to it as "describedby".
	Description http.Handler

	// Jobs runs the creations of Provisioner resources in the background
	// and serves their jobs at {Prefix}/jobs/{id}; nil means a POST to a
	// Provisioner waits for the work. Start it with [Jobs.Start].
	Jobs *Jobs

	// reg knows the types of the handlers made so far, so filters and
	// sorts can follow relationships between them.
	reg *registry
}

func (a *API) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}

func (a *API) dialect() Dialect {
	if a.Dialect != nil {
		return a.Dialect
	}
	return plainDialect{}
}

func (a *API) writeDB() *sql.DB {
	if a.WriteDB != nil {
		return a.WriteDB
	}
	return a.DB
}

func (a *API) maxBody() int64 {
	if a.MaxBodyBytes > 0 {
		return a.MaxBodyBytes
	}
	return DefaultMaxBodyBytes
}

// queryConfig returns what a request for p may ask for.
func (a *API) queryConfig(r *http.Request, p *plan, collection bool) query.Config {
	c := query.Config{
		Types:        a.resolverOf,
		PageSize:     a.PageSize,
		MaxPageSize:  a.MaxPageSize,
		Collection:   collection,
		Include:      true,
		IncludeDepth: a.IncludeDepth,
		IncludePaths: a.IncludePaths,
	}
	if p != nil {
		c.Resolver = a.resolver(p)
	}
	if res, ok := negotiate.FromContext(r.Context()); ok {
		c.Cursor = slices.Contains(res.AcceptProfile, query.CursorProfile)
	}
	return c
}

// parseQuery parses r's query string for a request on p.
func (a *API) parseQuery(r *http.Request, _ *plan, c query.Config) (query.Params, error) {
	v, err := query.Values(r.URL.RawQuery)
	if err != nil {
		return query.Params{}, err
	}
	return query.Parse(r.Context(), v, c)
}

// writeConfig returns what a write request on p may ask for: nothing but
// the parameters every request may carry.
func (a *API) writeConfig(r *http.Request, p *plan) query.Config {
	c := a.queryConfig(r, p, false)
	c.Include = false
	return c
}

func (a *API) resolverOf(typ string) (query.Resolver, bool) {
	p, ok := a.lookupType(typ)
	if !ok {
		return nil, false
	}
	return a.resolver(p), true
}

// Collection returns the handler of a collection endpoint: GET lists the
// resources a page at a time and POST creates one (when res is a
// [Creator]); PATCH and DELETE change or delete every resource a filter
// selects when the schema allows bulk changes ([Schema].Bulk). Other
// methods get 405 with Allow. The handler does no
// content negotiation: wrap it with [Negotiate], as [API.Handler] does.
//
//	mux.Handle("/api/person", api.Collection(person))
func (a *API) Collection(res Resource) http.Handler {
	return &collectionHandler{api: a, plan: a.register(newPlan(res))}
}

// Item returns the handler of an individual resource endpoint: GET fetches
// the resource, PATCH updates it (when res is an [Updater]) and DELETE
// deletes it (when res is a [Deleter]). Item reads the id from
// r.PathValue("id"); routers other than ServeMux must call r.SetPathValue.
//
//	mux.Handle("/api/person/{id}", api.Item(person))
func (a *API) Item(res Resource) http.Handler {
	return &itemHandler{api: a, plan: a.register(newPlan(res))}
}

// contentType returns the media type of a response to r that applies the
// given profiles, and the Atomic Operations extension when the request
// applied it (only the operations endpoint lets such a request through).
func contentType(r *http.Request, profiles ...string) string {
	var ext []string
	if res, ok := negotiate.FromContext(r.Context()); ok && slices.Contains(res.RequestExt, AtomicExt) {
		ext = []string{AtomicExt}
	}
	if len(profiles) == 0 && ext == nil {
		return negotiate.MediaType
	}
	return negotiate.FormatMediaType(ext, profiles)
}
