package restless

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// A Provisioner is a [Creator] whose creations take time, such as a
// virtual machine that must be set up before its row means anything. When
// the API has a job runner ([API.Jobs]), a POST to a Provisioner's
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
	// id, or nil when the database assigns one ([JobIDFromContext] gives
	// a stable name for the work meanwhile). Provision may add or change
	// values in v, such as the address a machine was given; they are
	// written with the row. An error fails the job: an [*Error] sets the
	// status, title and detail the job shows, any other error shows as a
	// 500 whose cause is logged.
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

// The states of a job.
const (
	JobPending  = "pending"
	JobRunning  = "running"
	JobComplete = "complete"
	JobFailed   = "failed"
)

// JobsTable is the name of the table that holds the jobs.
const JobsTable = "restless_jobs"

// Defaults of the zero fields of [Jobs].
const (
	DefaultJobWorkers   = 4
	DefaultJobQueue     = 64
	DefaultJobLease     = 30 * time.Second
	DefaultJobMaxWait   = 10 * time.Second
	DefaultJobRetention = 24 * time.Hour
)

// Jobs runs the creations of [Provisioner] resources in the background. Set
// [API.Jobs] to a Jobs, call Start once, and Shutdown when the server
// stops:
//
//	api.Jobs = &restless.Jobs{Workers: 4}
//	if err := api.Jobs.Start(ctx, api); err != nil { ... }
//	defer api.Jobs.Shutdown(shutdownCtx)
//
// Jobs are rows of the table restless_jobs in the API's database (Start
// creates it), so every server of one database answers for every job at
// {Prefix}/jobs/{id}. A job runs on the server that accepted its POST,
// with the values of that request's context; the server holds a lease on
// each of its unfinished jobs and renews it every third of Lease. Any
// server that finds a pending or running job whose lease expired (its
// server died) marks it failed with a 503 error, so the client may send
// the POST again; a job whose server still renews its lease is never
// taken over. Times come from the database's clock, so the servers' clocks
// need not agree.
//
// At most Workers jobs run at once and at most Queue more wait; a POST
// beyond that is answered 503 with Retry-After. Shutdown stops taking
// jobs, fails the waiting ones, lets the running ones finish until its
// context is done and then cancels them; every unfinished job of a server
// that shut down is failed, never left pending or running.
//
// Set the fields before Start and do not change them afterwards.
type Jobs struct {
	// Workers is how many jobs run at once; zero means DefaultJobWorkers.
	Workers int
	// Queue is how many accepted jobs may wait for a worker; zero means
	// DefaultJobQueue.
	Queue int
	// Lease is how long a job stays this server's without a renewal;
	// zero means DefaultJobLease.
	Lease time.Duration
	// MaxWait caps the wait a client asks for with Prefer: wait=N; zero
	// means DefaultJobMaxWait.
	MaxWait time.Duration
	// Retention is how long finished jobs are kept before they are
	// deleted; zero means DefaultJobRetention.
	Retention time.Duration

	api      *API
	instance string
	sql      jobSQL

	mu      sync.Mutex
	started bool
	closed  bool
	// active holds the jobs of this server that have not finished, by id.
	active map[string]*job
	// reserved counts the places taken by jobs being accepted.
	reserved int
	queue    chan *job

	stopClaim context.CancelFunc
	claimCtx  context.Context
	stopLoops context.CancelFunc
	workers   sync.WaitGroup
	loops     sync.WaitGroup
}

// job is a job this server accepted and has not finished.
type job struct {
	id   string
	plan *plan
	in   *input
	key  any
	// req is a copy of the POST request bound to ctx: its context values,
	// links and logging.
	req    *http.Request
	l      *linker
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{}
	once   sync.Once

	mu sync.Mutex
	// obj is the created resource of a complete job, errs the errors of a
	// failed one; both are set before done is closed.
	obj  *Object
	errs []*Error
}

// errJobLost is the cause of a job's cancellation when another server
// marked it failed (its lease had expired), and the error of a completion
// that finds the job no longer this server's.
var errJobLost = errors.New("restless: the job's lease expired and another server failed it")

// errShutdown is the cause of a job's cancellation by Shutdown.
var errShutdown = errors.New("restless: the server is shutting down")

// errStopped is what a job shows when its server stopped before it
// finished.
var errStopped = &Error{Status: http.StatusServiceUnavailable, Title: "Service Unavailable",
	Detail: "The server running the job stopped before the job finished; send the request again."}

// errNotStarted answers requests for jobs before Start.
var errNotStarted = &Error{Status: http.StatusServiceUnavailable, Title: "Service Unavailable",
	Detail: "The server is not taking jobs now; try again shortly."}

// isStarted reports whether Start succeeded.
func (j *Jobs) isStarted() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.started
}

type jobIDKey struct{}

// JobIDFromContext returns the id of the job whose work runs in ctx, as
// given to [Provisioner.Provision].
func JobIDFromContext(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(jobIDKey{}).(string)
	return id, ok
}

func (j *Jobs) workerCount() int {
	if j.Workers > 0 {
		return j.Workers
	}
	return DefaultJobWorkers
}

func (j *Jobs) queueSize() int {
	if j.Queue > 0 {
		return j.Queue
	}
	return DefaultJobQueue
}

func (j *Jobs) lease() time.Duration {
	if j.Lease > 0 {
		return j.Lease
	}
	return DefaultJobLease
}

func (j *Jobs) maxWait() time.Duration {
	if j.MaxWait > 0 {
		return j.MaxWait
	}
	return DefaultJobMaxWait
}

func (j *Jobs) retention() time.Duration {
	if j.Retention > 0 {
		return j.Retention
	}
	return DefaultJobRetention
}

func (j *Jobs) logger() *slog.Logger { return j.api.logger() }

// Start creates the jobs table if it does not exist and starts the
// workers and the loops that renew this server's leases and fail the jobs
// of servers that died. a is the API whose Jobs field is j; its dialect
// must be SQLite's or PostgreSQL's. The loops run until Shutdown, not
// until ctx is done.
func (j *Jobs) Start(ctx context.Context, a *API) error {
	if a == nil || a.Jobs != j {
		return errors.New("restless: Jobs.Start needs the API whose Jobs field it is")
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.started {
		return errors.New("restless: the jobs are already started")
	}
	q, err := newJobSQL(a.dialect())
	if err != nil {
		return err
	}
	j.api, j.sql = a, q
	if err := j.migrate(ctx); err != nil {
		return err
	}
	j.instance = newToken(12)
	j.active = map[string]*job{}
	j.queue = make(chan *job, j.workerCount()+j.queueSize())
	j.claimCtx, j.stopClaim = context.WithCancel(context.Background())
	loopCtx, stopLoops := context.WithCancel(context.Background())
	j.stopLoops = stopLoops
	for range j.workerCount() {
		j.workers.Add(1)
		go j.work()
	}
	j.loops.Add(2)
	go j.renewLoop(loopCtx)
	go j.reapLoop(loopCtx)
	j.started = true
	return nil
}

// Shutdown stops taking jobs and fails the ones waiting for a worker. It
// lets the running jobs finish until ctx is done, then cancels them; they
// are failed with a 503 error. It returns when every worker has stopped,
// with ctx's error if the running jobs had to be cancelled.
func (j *Jobs) Shutdown(ctx context.Context) error {
	j.mu.Lock()
	if !j.started || j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	j.mu.Unlock()

	j.stopClaim()
	idle := make(chan struct{})
	go func() {
		j.workers.Wait()
		close(idle)
	}()
	var err error
	select {
	case <-idle:
	case <-ctx.Done():
		err = ctx.Err()
		j.mu.Lock()
		for _, jb := range j.active {
			jb.cancel(errShutdown)
		}
		j.mu.Unlock()
		<-idle
	}
	// The jobs still queued never started.
	for {
		select {
		case jb := <-j.queue:
			j.finish(jb, []*Error{errStopped})
			continue
		default:
		}
		break
	}
	j.stopLoops()
	j.loops.Wait()
	return err
}

// newToken returns n random bytes in base64url: job ids and server
// instances.
func newToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validJobID reports whether s can be a job id: 16 bytes in base64url.
func validJobID(s string) bool {
	if len(s) != 22 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// submit records a job for the POST r, whose body decoded to in, and
// queues it. The job's context keeps r's values.
func (j *Jobs) submit(r *http.Request, p *plan, in *input, key any, scope string) (*job, error) {
	j.mu.Lock()
	switch {
	case !j.started || j.closed:
		j.mu.Unlock()
		return nil, errNotStarted
	case len(j.active)+j.reserved >= j.workerCount()+j.queueSize():
		j.mu.Unlock()
		return nil, &Error{Status: http.StatusServiceUnavailable, Title: "Service Unavailable",
			Detail: "Too many jobs are waiting; try again shortly."}
	}
	j.reserved++
	j.mu.Unlock()

	id := newToken(16)
	ctx, cancel := context.WithCancelCause(context.WithValue(context.WithoutCancel(r.Context()), jobIDKey{}, id))
	jb := &job{id: id, plan: p, in: in, key: key, l: j.api.linker(r), ctx: ctx, cancel: cancel,
		done: make(chan struct{})}
	jb.req = r.WithContext(ctx)
	err := j.sql.exec(r.Context(), j.api.writeDB(), j.sql.insert, id, p.schema.Type, j.instance, j.lease().Milliseconds(), scope)

	j.mu.Lock()
	j.reserved--
	closed := j.closed
	if err == nil && !closed {
		j.active[id] = jb
		j.queue <- jb // never blocks: the queue holds every active job
	}
	j.mu.Unlock()
	switch {
	case err != nil:
		cancel(err)
		return nil, fmt.Errorf("restless: record job: %w", err)
	case closed:
		j.fail(jb, []*Error{errStopped})
		cancel(errShutdown)
		return nil, errNotStarted
	}
	return jb, nil
}

// work runs queued jobs until Shutdown.
func (j *Jobs) work() {
	defer j.workers.Done()
	for {
		select {
		case <-j.claimCtx.Done():
			return
		case jb := <-j.queue:
			if j.claimCtx.Err() != nil {
				// Shutdown began: the job never starts.
				j.finish(jb, []*Error{errStopped})
				return
			}
			j.run(jb)
		}
	}
}

// run claims jb and runs it to the end. A panic of the resource's code
// fails the job with a 500 instead of ending the server (see safely).
func (j *Jobs) run(jb *job) {
	ctx := jb.ctx
	if ctx.Err() != nil {
		j.finish(jb, []*Error{errStopped})
		return
	}
	n, err := j.sql.execN(ctx, j.api.writeDB(), j.sql.claim, j.lease().Milliseconds(), jb.id, j.instance)
	if err != nil {
		j.logger().ErrorContext(ctx, "restless: claim job", "job", jb.id, "err", err)
		j.finish(jb, []*Error{errStopped})
		return
	}
	if n == 0 {
		// Another server failed it: our lease had expired.
		j.drop(jb)
		return
	}
	obj, err := j.api.provisionCreate(ctx, jb.req, jb.plan, jb.l, jb.in, jb.key, func(tx *sql.Tx, obj *Object) error {
		// In the row's transaction: the row exists if and only if the
		// job is complete, even when another server fails the job at
		// the same time.
		n, err := j.sql.execN(ctx, tx, j.sql.complete, obj.ID, jb.id, j.instance)
		if err != nil {
			return err
		}
		if n == 0 {
			return errJobLost
		}
		return nil
	})
	if err == nil {
		j.done(jb, obj)
		return
	}
	switch cause := context.Cause(ctx); {
	case errors.Is(err, errJobLost) || errors.Is(cause, errJobLost):
		j.drop(jb)
		return
	case ctx.Err() != nil:
		j.finish(jb, []*Error{errStopped})
		return
	}
	j.finish(jb, ErrorObjects(ctx, j.api.writeError(jb.req, jb.plan.schema, jb.in, err)))
}

// done records the success of jb, whose row the completion already marked.
func (j *Jobs) done(jb *job, obj *Object) {
	jb.mu.Lock()
	jb.obj = obj
	jb.mu.Unlock()
	j.release(jb)
}

// finish fails jb with errs.
func (j *Jobs) finish(jb *job, errs []*Error) {
	j.fail(jb, errs)
	jb.mu.Lock()
	jb.errs = errs
	jb.mu.Unlock()
	j.release(jb)
}

// fail marks jb's row failed, if it is still this server's.
func (j *Jobs) fail(jb *job, errs []*Error) {
	body, err := jsonErrors(errs)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(jb.ctx), 10*time.Second)
		defer cancel()
		err = j.sql.exec(ctx, j.api.writeDB(), j.sql.fail, body, jb.id, j.instance)
	}
	if err != nil {
		j.logger().ErrorContext(jb.ctx, "restless: record failed job", "job", jb.id, "err", err)
	}
}

// drop forgets jb, which another server failed.
func (j *Jobs) drop(jb *job) {
	jb.mu.Lock()
	jb.errs = []*Error{errStopped}
	jb.mu.Unlock()
	j.release(jb)
}

func (j *Jobs) release(jb *job) {
	j.mu.Lock()
	delete(j.active, jb.id)
	j.mu.Unlock()
	jb.cancel(nil)
	jb.once.Do(func() { close(jb.done) })
}

// renewLoop renews the leases of this server's jobs every third of the
// lease, and cancels the jobs it finds failed by another server.
func (j *Jobs) renewLoop(ctx context.Context) {
	defer j.loops.Done()
	t := time.NewTicker(j.lease() / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		j.mu.Lock()
		n := len(j.active)
		j.mu.Unlock()
		if n == 0 {
			continue
		}
		ids, err := j.sql.renewAll(ctx, j.api.writeDB(), j.lease().Milliseconds(), j.instance)
		if err != nil {
			if ctx.Err() == nil {
				j.logger().ErrorContext(ctx, "restless: renew job leases", "err", err)
			}
			continue
		}
		j.mu.Lock()
		for id, jb := range j.active {
			if !ids[id] {
				jb.cancel(errJobLost)
			}
		}
		j.mu.Unlock()
	}
}

// reapLoop fails the jobs whose lease expired and deletes the finished
// jobs older than Retention, every half lease.
func (j *Jobs) reapLoop(ctx context.Context) {
	defer j.loops.Done()
	t := time.NewTicker(j.lease() / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := j.Reap(ctx); err != nil && ctx.Err() == nil {
			j.logger().ErrorContext(ctx, "restless: reap jobs", "err", err)
		}
	}
}

// Reap marks failed every pending or running job whose lease expired,
// deletes the finished jobs older than Retention, and returns how many
// jobs it failed. The server calls it every half lease; a job whose
// server still renews its lease is never touched.
func (j *Jobs) Reap(ctx context.Context) (int64, error) {
	if !j.isStarted() {
		return 0, errNotStarted
	}
	body, err := jsonErrors([]*Error{errStopped})
	if err != nil {
		return 0, err
	}
	n, err := j.sql.execN(ctx, j.api.writeDB(), j.sql.reap, body)
	if err != nil {
		return 0, fmt.Errorf("restless: reap jobs: %w", err)
	}
	if err := j.sql.exec(ctx, j.api.writeDB(), j.sql.purge, j.retention().Milliseconds()); err != nil {
		return n, fmt.Errorf("restless: delete old jobs: %w", err)
	}
	return n, nil
}
