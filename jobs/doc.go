// Package jobs runs the slow creations of resource.Provisioner resources
// in the background, as jobs a client polls: a [Runner] keeps them in the
// table restless_jobs of the API's own database, so every server of that
// database answers for every job, and a job whose server dies is failed
// by the others once its lease runs out.
//
// Package restless uses a Runner given in its API's Jobs field: a POST to
// a Provisioner's collection becomes a job ([Runner.Submit]) answered 202
// Accepted, and {Prefix}/jobs/{id} shows it ([Runner.Load]) until a 303
// leads to the created resource.
//
// Every difference between databases a Runner needs goes through its
// dialect: the database's clock (dialect.Clock), which measures the
// leases, and where the dialect has one, a transaction-scoped lock
// (dialect.Locker) that serialises the creation of the table.
package jobs
