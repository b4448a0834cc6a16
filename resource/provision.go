package resource

import "context"

// A Provisioner is a [Creator] whose creations take time, such as a
// virtual machine that must be set up before its row means anything. When
// the API has a job runner (package jobs), a POST to a Provisioner's
// collection is validated at once and then runs as a background job: the
// reply is 202 Accepted with a job document, and the client polls the job
// until it is complete (303 See Other to the new resource) or failed (its
// errors). Without a job runner the POST waits for the work and answers
// 201 as for any Creator.
//
// A job first calls Provision and then inserts the row in one transaction,
// with the write hooks, the row filter and the relationship checks of an
// ordinary POST. A job that fails therefore never leaves a row behind: if
// Provision fails, nothing was inserted; if the insert fails, it is rolled
// back (and an [Unprovisioner] undoes Provision's work).
type Provisioner interface {
	Creator
	// Provision does the slow work of creating the resource that v
	// describes, before its row is inserted. id is the client-generated
	// id, or nil when the database assigns one (jobs.IDFromContext gives
	// a stable name for the work meanwhile). Provision may add or change
	// values in v, such as the address a machine was given; they are
	// written with the row. An error fails the job: a *jsonapi.Error sets
	// the status, title and detail the job shows, any other error shows
	// as a 500 whose cause is logged.
	//
	// ctx carries the values of the POST request's context, so row
	// filters and hooks see the same identity, but not its cancellation.
	// It is cancelled when the server shuts down or loses the job's
	// lease; Provision must then return promptly.
	Provision(ctx context.Context, id any, v Values) error
}

// An Unprovisioner is a [Provisioner] that can undo Provision. When the row
// cannot be inserted after Provision succeeded (a unique value was taken
// meanwhile, say), the job calls Unprovision with the same id and values
// before it fails.
type Unprovisioner interface {
	Unprovision(ctx context.Context, id any, v Values) error
}

// A JobScoper is a [Provisioner] whose jobs are private to a scope, such
// as a tenant or a user. A job is shown only to requests whose scope is
// the scope of the request that created it. Without a JobScoper, a job is
// shown to every request that knows its id (128 random bits) and may read
// the resource type, and a complete job only to requests whose row filter
// shows the created resource.
type JobScoper interface {
	// JobScope returns the scope of the request in ctx. An error hides
	// every job from the request.
	JobScope(ctx context.Context) (string, error)
}
