package jobs

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

	"github.com/gorestless/restless/dialect"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// The states of a job.
const (
	Pending  = "pending"
	Running  = "running"
	Complete = "complete"
	Failed   = "failed"
)

// Table is the name of the table that holds the jobs.
const Table = "restless_jobs"

// Defaults of the zero fields of [Runner].
const (
	DefaultWorkers   = 4
	DefaultQueue     = 64
	DefaultLease     = 30 * time.Second
	DefaultMaxWait   = 10 * time.Second
	DefaultRetention = 24 * time.Hour
)

// A Store is the database a Runner keeps its jobs in: the API's own, for
// a job completes in the transaction that creates its resource.
type Store struct {
	// DB runs the reads of the jobs table.
	DB *sql.DB
	// WriteDB runs its writes; nil means DB.
	WriteDB *sql.DB
	// Dialect describes the database. It must be a dialect.Clock (both
	// of package sqlite and package postgres are).
	Dialect dialect.Dialect
	// Logger receives what no client is told, such as a job that failed
	// with a 500; nil means slog.Default().
	Logger *slog.Logger
}

// Work is the creation a job runs, in the background, with ctx (see
// [Runner.Submit]). It must call complete in the transaction that creates
// the resource, with the new resource's id, just before the commit, and
// return the resource: complete fails when the job is no longer this
// server's (another server failed it when its lease expired), and the
// creation must then roll back, so that a resource exists exactly when
// its job is complete. An error fails the job with the error objects
// jsonapi.ErrorObjects gives it.
type Work func(ctx context.Context, complete func(tx *sql.Tx, id string) error) (*jsonapi.Object, error)

// A Runner runs the creations of resource.Provisioner resources in the
// background. Give it to an API (restless.API.Jobs), call Start once with
// the API's database and Shutdown when the server stops:
//
//	api.Jobs = &jobs.Runner{Workers: 4}
//	store := jobs.Store{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect}
//	if err := api.Jobs.Start(ctx, store); err != nil { ... }
//	defer api.Jobs.Shutdown(shutdownCtx)
//
// Jobs are rows of the table restless_jobs in that database (Start creates
// it), so every server of one database answers for every job at
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
type Runner struct {
	// Workers is how many jobs run at once; zero means DefaultWorkers.
	Workers int
	// Queue is how many accepted jobs may wait for a worker; zero means
	// DefaultQueue.
	Queue int
	// Lease is how long a job stays this server's without a renewal;
	// zero means DefaultLease.
	Lease time.Duration
	// MaxWait caps the wait a client asks for with Prefer: wait=N; zero
	// means DefaultMaxWait.
	MaxWait time.Duration
	// Retention is how long finished jobs are kept before they are
	// deleted; zero means DefaultRetention.
	Retention time.Duration

	store    Store
	log      *slog.Logger
	instance string
	sql      jobSQL

	mu      sync.Mutex
	started bool
	closed  bool
	// active holds the jobs of this server that have not finished, by id.
	active map[string]*Job
	// reserved counts the places taken by jobs being accepted.
	reserved int
	queue    chan *Job

	stopClaim context.CancelFunc
	claimCtx  context.Context
	stopLoops context.CancelFunc
	workers   sync.WaitGroup
	loops     sync.WaitGroup
}

// A Job is a job this server accepted, as [Runner.Submit] returns it.
type Job struct {
	id     string
	work   Work
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{}
	once   sync.Once

	mu sync.Mutex
	// obj is the created resource of a complete job, errs the errors of a
	// failed one; both are set before done is closed.
	obj  *jsonapi.Object
	errs []*jsonapi.Error
}

// ID returns the job's id.
func (jb *Job) ID() string { return jb.id }

// Done returns a channel closed when the job has finished on this server.
func (jb *Job) Done() <-chan struct{} { return jb.done }

// Result returns, once Done is closed, the created resource of a job
// that completed or the errors of one that failed.
func (jb *Job) Result() (*jsonapi.Object, []*jsonapi.Error) {
	jb.mu.Lock()
	defer jb.mu.Unlock()
	return jb.obj, jb.errs
}

// errJobLost is the cause of a job's cancellation when another server
// marked it failed (its lease had expired), and the error of a completion
// that finds the job no longer this server's.
var errJobLost = errors.New("restless: the job's lease expired and another server failed it")

// errShutdown is the cause of a job's cancellation by Shutdown.
var errShutdown = errors.New("restless: the server is shutting down")

// errStopped is what a job shows when its server stopped before it
// finished.
var errStopped = &jsonapi.Error{Status: http.StatusServiceUnavailable, Title: "Service Unavailable",
	Detail: "The server running the job stopped before the job finished; send the request again."}

// errNotStarted answers requests for jobs before Start.
var errNotStarted = &jsonapi.Error{Status: http.StatusServiceUnavailable, Title: "Service Unavailable",
	Detail: "The server is not taking jobs now; try again shortly."}

// isStarted reports whether Start succeeded.
func (j *Runner) isStarted() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.started
}

type idKey struct{}

// IDFromContext returns the id of the job whose work runs in ctx, as
// given to resource.Provisioner's Provision.
func IDFromContext(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(idKey{}).(string)
	return id, ok
}

func (j *Runner) workerCount() int {
	if j.Workers > 0 {
		return j.Workers
	}
	return DefaultWorkers
}

func (j *Runner) queueSize() int {
	if j.Queue > 0 {
		return j.Queue
	}
	return DefaultQueue
}

func (j *Runner) lease() time.Duration {
	if j.Lease > 0 {
		return j.Lease
	}
	return DefaultLease
}

// CapWait returns the wait d a client asks for (Prefer: wait=N), capped
// by MaxWait.
func (j *Runner) CapWait(d time.Duration) time.Duration {
	max := j.MaxWait
	if max <= 0 {
		max = DefaultMaxWait
	}
	return min(d, max)
}

func (j *Runner) retention() time.Duration {
	if j.Retention > 0 {
		return j.Retention
	}
	return DefaultRetention
}

// Start creates the jobs table in s if it does not exist and starts the
// workers and the loops that renew this server's leases and fail the jobs
// of servers that died. s must be the database of the API the runner
// serves, and its dialect a dialect.Clock. The loops run until Shutdown,
// not until ctx is done.
func (j *Runner) Start(ctx context.Context, s Store) error {
	if s.DB == nil {
		return errors.New("restless: jobs.Runner.Start needs the API's database")
	}
	if s.WriteDB == nil {
		s.WriteDB = s.DB
	}
	if s.Dialect == nil {
		return errors.New("restless: jobs.Runner.Start needs the database's dialect")
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.started {
		return errors.New("restless: the jobs are already started")
	}
	q, err := newJobSQL(s.Dialect)
	if err != nil {
		return err
	}
	j.store, j.sql, j.log = s, q, s.Logger
	if j.log == nil {
		j.log = slog.Default()
	}
	if err := j.migrate(ctx); err != nil {
		return err
	}
	j.instance = newToken(12)
	j.active = map[string]*Job{}
	j.queue = make(chan *Job, j.workerCount()+j.queueSize())
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
func (j *Runner) Shutdown(ctx context.Context) error {
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
			j.finish(jb, []*jsonapi.Error{errStopped})
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

// ValidID reports whether s can be a job id: 16 bytes in base64url.
func ValidID(s string) bool {
	if len(s) != 22 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// Submit records a job creating a resource of type typ for a request in
// the given scope (see resource.JobScoper), and queues work. The work
// runs with a context that keeps ctx's values, but not its cancellation,
// and carries the job's id ([IDFromContext]); it is cancelled when the
// server shuts down or loses the job. A full queue, or a runner not
// started or shut down, is a 503 error.
func (j *Runner) Submit(ctx context.Context, typ, scope string, work Work) (*Job, error) {
	j.mu.Lock()
	switch {
	case !j.started || j.closed:
		j.mu.Unlock()
		return nil, errNotStarted
	case len(j.active)+j.reserved >= j.workerCount()+j.queueSize():
		j.mu.Unlock()
		return nil, &jsonapi.Error{Status: http.StatusServiceUnavailable, Title: "Service Unavailable",
			Detail: "Too many jobs are waiting; try again shortly."}
	}
	j.reserved++
	j.mu.Unlock()

	id := newToken(16)
	jctx, cancel := context.WithCancelCause(context.WithValue(context.WithoutCancel(ctx), idKey{}, id))
	jb := &Job{id: id, work: work, ctx: jctx, cancel: cancel, done: make(chan struct{})}
	err := j.sql.exec(ctx, j.store.WriteDB, j.sql.insert, id, typ, j.instance, j.lease().Milliseconds(), scope)

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
		return nil, j.failure(fmt.Errorf("restless: record job: %w", err))
	case closed:
		j.fail(jb, []*jsonapi.Error{errStopped})
		cancel(errShutdown)
		return nil, errNotStarted
	}
	return jb, nil
}

// work runs queued jobs until Shutdown.
func (j *Runner) work() {
	defer j.workers.Done()
	for {
		select {
		case <-j.claimCtx.Done():
			return
		case jb := <-j.queue:
			if j.claimCtx.Err() != nil {
				// Shutdown began: the job never starts.
				j.finish(jb, []*jsonapi.Error{errStopped})
				return
			}
			j.run(jb)
		}
	}
}

// run claims jb and runs it to the end.
func (j *Runner) run(jb *Job) {
	ctx := jb.ctx
	if ctx.Err() != nil {
		j.finish(jb, []*jsonapi.Error{errStopped})
		return
	}
	n, err := j.sql.execN(ctx, j.store.WriteDB, j.sql.claim, j.lease().Milliseconds(), jb.id, j.instance)
	if err != nil {
		j.log.ErrorContext(ctx, "restless: claim job", "job", jb.id, "err", err)
		j.finish(jb, []*jsonapi.Error{errStopped})
		return
	}
	if n == 0 {
		// Another server failed it: our lease had expired.
		j.drop(jb)
		return
	}
	obj, err := jb.work(ctx, func(tx *sql.Tx, resourceID string) error {
		// In the resource's transaction: the row exists if and only if
		// the job is complete, even when another server fails the job at
		// the same time.
		n, err := j.sql.execN(ctx, tx, j.sql.complete, resourceID, jb.id, j.instance)
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
		j.finish(jb, []*jsonapi.Error{errStopped})
		return
	}
	errs := jsonapi.ErrorObjects(err)
	for _, e := range errs {
		if e.Status >= http.StatusInternalServerError && e.Err != nil {
			j.log.ErrorContext(ctx, "restless: job failed", "job", jb.id, "status", e.Status, "err", e.Err)
		}
	}
	j.finish(jb, errs)
}

// done records the success of jb, whose row the completion already marked.
func (j *Runner) done(jb *Job, obj *jsonapi.Object) {
	jb.mu.Lock()
	jb.obj = obj
	jb.mu.Unlock()
	j.release(jb)
}

// finish fails jb with errs.
func (j *Runner) finish(jb *Job, errs []*jsonapi.Error) {
	j.fail(jb, errs)
	jb.mu.Lock()
	jb.errs = errs
	jb.mu.Unlock()
	j.release(jb)
}

// fail marks jb's row failed, if it is still this server's.
func (j *Runner) fail(jb *Job, errs []*jsonapi.Error) {
	body, err := jsonErrors(errs)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(jb.ctx), 10*time.Second)
		defer cancel()
		err = j.sql.exec(ctx, j.store.WriteDB, j.sql.fail, body, jb.id, j.instance)
	}
	if err != nil {
		j.log.ErrorContext(jb.ctx, "restless: record failed job", "job", jb.id, "err", err)
	}
}

// drop forgets jb, which another server failed.
func (j *Runner) drop(jb *Job) {
	jb.mu.Lock()
	jb.errs = []*jsonapi.Error{errStopped}
	jb.mu.Unlock()
	j.release(jb)
}

func (j *Runner) release(jb *Job) {
	j.mu.Lock()
	delete(j.active, jb.id)
	j.mu.Unlock()
	jb.cancel(nil)
	jb.once.Do(func() { close(jb.done) })
}

// renewLoop renews the leases of this server's jobs every third of the
// lease, and cancels the jobs it finds failed by another server.
func (j *Runner) renewLoop(ctx context.Context) {
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
		ids, err := j.sql.renewAll(ctx, j.store.WriteDB, j.lease().Milliseconds(), j.instance)
		if err != nil {
			if ctx.Err() == nil {
				j.log.ErrorContext(ctx, "restless: renew job leases", "err", err)
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
func (j *Runner) reapLoop(ctx context.Context) {
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
			j.log.ErrorContext(ctx, "restless: reap jobs", "err", err)
		}
	}
}

// Reap marks failed every pending or running job whose lease expired,
// deletes the finished jobs older than Retention, and returns how many
// jobs it failed. The server calls it every half lease; a job whose
// server still renews its lease is never touched.
func (j *Runner) Reap(ctx context.Context) (int64, error) {
	if !j.isStarted() {
		return 0, errNotStarted
	}
	body, err := jsonErrors([]*jsonapi.Error{errStopped})
	if err != nil {
		return 0, err
	}
	n, err := j.sql.execN(ctx, j.store.WriteDB, j.sql.reap, body)
	if err != nil {
		return 0, fmt.Errorf("restless: reap jobs: %w", err)
	}
	if err := j.sql.exec(ctx, j.store.WriteDB, j.sql.purge, j.retention().Milliseconds()); err != nil {
		return n, fmt.Errorf("restless: delete old jobs: %w", err)
	}
	return n, nil
}

// Load reads the job with the given id: resource.ErrNotFound when there
// is none. A pending or running job whose lease expired is failed first,
// by whichever server reads it. Failures to read are answered as the
// engine answers a read's: 503 when the database is busy, else 500.
func (j *Runner) Load(ctx context.Context, id string) (*Record, error) {
	rec, err := j.load(ctx, id)
	return rec, j.failure(err)
}

func (j *Runner) load(ctx context.Context, id string) (*Record, error) {
	if !j.isStarted() {
		return nil, errNotStarted
	}
	rec, err := j.sql.loadJob(ctx, j.store.DB, id)
	if err != nil || !rec.expired || (rec.State != Pending && rec.State != Running) {
		return rec, err
	}
	body, err := jsonErrors([]*jsonapi.Error{errStopped})
	if err != nil {
		return nil, err
	}
	if err := j.sql.exec(ctx, j.store.WriteDB, j.sql.reapID, body, id); err != nil {
		return nil, err
	}
	// Read from the writer: the reader may not see the change yet.
	return j.sql.loadJob(ctx, j.store.WriteDB, id)
}

// failure turns a failure to use the jobs table into the error the
// client sees.
func (j *Runner) failure(err error) error {
	if err == nil {
		return nil
	}
	var e *jsonapi.Error
	if errors.As(err, &e) || errors.Is(err, resource.ErrNotFound) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if j.store.Dialect != nil && j.store.Dialect.Classify(err).Kind == dialect.Busy {
		return &jsonapi.Error{Status: http.StatusServiceUnavailable, Title: "Service Unavailable", Detail: "The database is busy; try again shortly."}
	}
	return &jsonapi.Error{Status: http.StatusInternalServerError, Title: "Internal Server Error", Detail: "The server could not read the job.",
		Err: fmt.Errorf("jobs: %w", err)}
}
