// Package restless serves JSON:API 1.1 endpoints for SQL-backed resources
// on net/http.
//
// Package resource holds what a program declares: a resource.Resource
// names a JSON:API type, describes it with a resource.Schema and builds
// the github.com/Masterminds/squirrel query that reads it, most often as
// a resource.Table. An [API] holds the database and the limits, and turns
// Resources into handlers: [API.Collection] and [API.Item] for a
// ServeMux pattern each,
//
//	mux.Handle("/api/person", api.Collection(people))
//	mux.Handle("/api/person/{id}", api.Item(people))
//
// [API.Related], [API.Relationship] and [API.Eval] serve a resource's
// related resources, its relationship linkage and function evaluation;
// [API.Operations] serves the Atomic Operations extension ([AtomicExt]),
// several writes of any types in one transaction. [API.Handler] mounts
// every endpoint of several resources at once, behind content
// negotiation, with JSON:API replies for unknown paths (404) and methods
// (405); [API.Routes] is its route table, which package openapi
// describes.
//
// The package is the HTTP face only: a handler parses the request (the
// query string with package query, the body's document), calls the SQL
// engine the API builds at its first handler, and writes the reply.
//
// # Databases
//
// A dialect.Dialect holds all that differs between databases; packages
// sqlite and postgres provide one each. Every write runs in one
// transaction together with the write hooks.
//
// # Slow creations
//
// A resource.Provisioner is a Creator whose creations take time. With a
// job runner (a jobs.Runner in [API.Jobs]), its POSTs answer 202
// Accepted with a job that the client polls at {Prefix}/jobs/{id} until
// a 303 leads to the new resource; Prefer: wait=N asks for the 201 if the
// work ends within N seconds. Jobs live in the database table
// restless_jobs, so every server of one database answers for every job.
//
// # Errors
//
// Handlers reply with JSON:API error documents, built in one place,
// jsonapi.ErrorObjects. A Resource or hook controls the reply by
// returning a *jsonapi.Error; database failures become 4xx or 503
// replies without SQL text; any other error is a 500 whose cause is
// logged with the API's Logger, not sent.
//
// # Middleware
//
// [Negotiate] wires package negotiate's content negotiation to
// [WriteError]; package middleware provides request ids, logging, panic
// recovery, CORS and body limits as func(http.Handler) http.Handler, and
// package jsonp answers JSONP.
package restless
