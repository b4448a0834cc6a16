// Package restless serves JSON:API 1.1 collection and item endpoints for
// SQL-backed resources using only net/http.
//
// A [Resource] names a JSON:API type, describes it with a [Schema] and
// builds the [github.com/Masterminds/squirrel] query that reads it; the
// optional [Creator], [Updater] and [Deleter] interfaces add writes.
// Package resource holds ready Resources, above all resource.Table, one SQL
// table declared in a few lines. [API.Collection] and [API.Item] turn a
// Resource into an [net/http.Handler] for a ServeMux pattern:
//
//	mux.Handle("/api/person", api.Collection(people))
//	mux.Handle("/api/person/{id}", api.Item(people))
//
// [API.Related], [API.Relationship] and [API.Eval] serve a resource's
// related resources, its relationship linkage and function evaluation;
// [API.Operations] serves the Atomic Operations extension ([AtomicExt]),
// several writes of any types in one transaction.
// [API.Handler] mounts every endpoint of several resources at once, behind
// content negotiation, with JSON:API replies for unknown paths (404) and
// methods (405).
//
// # Databases
//
// The [Dialect] seam holds all that differs between databases; packages
// sqlite and postgres implement it. Every write runs in one transaction
// together with the write hooks ([BeforeWriter], [AfterWriter]).
//
// # Slow creations
//
// A [Provisioner] is a Creator whose creations take time. With a job runner
// in [API.Jobs], its POSTs answer 202 Accepted with a job that the client
// polls at {Prefix}/jobs/{id} until a 303 leads to the new resource;
// Prefer: wait=N asks for the 201 if the work ends within N seconds. Jobs
// live in the database table restless_jobs, so every server of one
// database answers for every job.
//
// # Errors
//
// Handlers reply with JSON:API error documents. A Resource or hook controls
// the reply by returning an [*Error]; database failures become 4xx or 503
// replies without SQL text; any other error is a 500 whose cause is logged
// with log/slog, not sent.
//
// # Middleware
//
// Package negotiate implements content negotiation ([Negotiate] wires it to
// [WriteError]); package middleware provides request ids, logging, panic
// recovery and body limits as func(http.Handler) http.Handler.
package restless
