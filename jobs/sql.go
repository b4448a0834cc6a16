package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gorestless/restless/dialect"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// jobSQL holds the statements on the jobs table for one dialect. Every
// change of a job's state is one UPDATE whose WHERE clause states the
// state (and owner) it leaves, so two servers can never both make a
// change: on SQLite the writes are serialized, and on PostgreSQL a
// concurrent UPDATE of the row waits for the first and re-checks the
// WHERE clause on the row it wrote. Times are milliseconds since 1970 by
// the database's clock.
type jobSQL struct {
	create                                             []string
	insert, claim, complete, fail, renew, reap, reapID string
	purge, load                                        string
}

// jobsDDL creates the jobs table; it is the same for SQLite and PostgreSQL.
var jobsDDL = []string{
	`CREATE TABLE IF NOT EXISTS restless_jobs (
	id TEXT PRIMARY KEY,
	type TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'complete', 'failed')),
	owner TEXT NOT NULL,
	lease_until BIGINT NOT NULL,
	scope TEXT NOT NULL DEFAULT '',
	result TEXT,
	errors TEXT,
	created BIGINT NOT NULL,
	updated BIGINT NOT NULL
)`,
	`CREATE INDEX IF NOT EXISTS restless_jobs_lease ON restless_jobs (state, lease_until)`,
	`CREATE INDEX IF NOT EXISTS restless_jobs_owner ON restless_jobs (owner)`,
}

// Schema returns the statements that create the jobs table for the
// database of dialect d, for those who run their migrations themselves.
// [Runner.Start] runs them too; they do nothing when the table exists.
func Schema(d dialect.Dialect) ([]string, error) {
	if _, err := clock(d); err != nil {
		return nil, err
	}
	return jobsDDL, nil
}

// clock returns the SQL expression of the database's current time in
// milliseconds since 1970: leases are measured by the database's clock,
// so the servers' clocks need not agree.
func clock(d dialect.Dialect) (string, error) {
	c, ok := d.(dialect.Clock)
	if !ok {
		return "", fmt.Errorf("restless: jobs need a dialect that reads the database's clock (dialect.Clock); %s does not", d.Name())
	}
	return c.NowMillis(), nil
}

func newJobSQL(d dialect.Dialect) (jobSQL, error) {
	now, err := clock(d)
	if err != nil {
		return jobSQL{}, err
	}
	ph := d.Placeholder()
	q := jobSQL{create: jobsDDL}
	var phErr error
	stmt := func(s string) string {
		s = strings.ReplaceAll(s, "NOW", now)
		out, err := ph.ReplacePlaceholders(s)
		if err != nil && phErr == nil {
			phErr = fmt.Errorf("restless: jobs statements: %w", err)
		}
		return out
	}
	const unfinished = `state IN ('pending', 'running')`
	q.insert = stmt(`INSERT INTO restless_jobs (id, type, state, owner, lease_until, scope, created, updated)
		VALUES (?, ?, 'pending', ?, NOW + ?, ?, NOW, NOW)`)
	// args: lease, id, owner
	q.claim = stmt(`UPDATE restless_jobs SET state = 'running', lease_until = NOW + ?, updated = NOW
		WHERE id = ? AND owner = ? AND state = 'pending'`)
	// args: result, id, owner
	q.complete = stmt(`UPDATE restless_jobs SET state = 'complete', result = ?, updated = NOW
		WHERE id = ? AND owner = ? AND state = 'running'`)
	// args: errors, id, owner
	q.fail = stmt(`UPDATE restless_jobs SET state = 'failed', errors = ?, updated = NOW
		WHERE id = ? AND owner = ? AND ` + unfinished)
	// args: lease, owner
	q.renew = stmt(`UPDATE restless_jobs SET lease_until = NOW + ?
		WHERE owner = ? AND ` + unfinished + ` RETURNING id`)
	// args: errors
	q.reap = stmt(`UPDATE restless_jobs SET state = 'failed', errors = ?, updated = NOW
		WHERE ` + unfinished + ` AND lease_until < NOW`)
	// args: errors, id
	q.reapID = stmt(`UPDATE restless_jobs SET state = 'failed', errors = ?, updated = NOW
		WHERE id = ? AND ` + unfinished + ` AND lease_until < NOW`)
	// args: retention
	q.purge = stmt(`DELETE FROM restless_jobs WHERE state IN ('complete', 'failed') AND updated < NOW - ?`)
	// args: id
	q.load = stmt(`SELECT type, state, scope, result, errors, created, updated, lease_until < NOW
		FROM restless_jobs WHERE id = ?`)
	return q, phErr
}

// execer runs statements: a *sql.DB or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (q jobSQL) exec(ctx context.Context, db execer, stmt string, args ...any) error {
	_, err := db.ExecContext(ctx, stmt, args...)
	return err
}

// execN runs stmt and returns how many rows it changed.
func (q jobSQL) execN(ctx context.Context, db execer, stmt string, args ...any) (int64, error) {
	res, err := db.ExecContext(ctx, stmt, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// renewAll renews the leases of owner's unfinished jobs and returns their
// ids.
func (q jobSQL) renewAll(ctx context.Context, db *sql.DB, lease int64, owner string) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, q.renew, lease, owner)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids[id] = true
	}
	return ids, rows.Err()
}

// A Record is a job as the jobs table holds it.
type Record struct {
	// ID is the job's id: 16 random bytes in base64url.
	ID string
	// Type is the resource type the job creates.
	Type string
	// State is Pending, Running, Complete or Failed.
	State string
	// Scope is the scope of the request that created the job (see
	// resource.JobScoper), or "".
	Scope string
	// Result is the id of the created resource of a complete job.
	Result string
	// Errors are the error objects of a failed job, as a JSON array.
	Errors json.RawMessage
	// Created and Updated are when the job was created and last changed,
	// by the database's clock.
	Created, Updated time.Time

	// expired says the job's lease ran out.
	expired bool
}

// loadJob reads the job with the given id, or returns ErrNotFound.
func (q jobSQL) loadJob(ctx context.Context, db *sql.DB, id string) (*Record, error) {
	rec := &Record{ID: id}
	var result, errs sql.NullString
	var created, updated int64
	err := db.QueryRowContext(ctx, q.load, id).Scan(&rec.Type, &rec.State, &rec.Scope, &result, &errs,
		&created, &updated, &rec.expired)
	if err == sql.ErrNoRows {
		return nil, resource.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	rec.Created, rec.Updated = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	rec.Result = result.String
	if errs.Valid {
		rec.Errors = json.RawMessage(errs.String)
	}
	return rec, nil
}

// migrate creates the jobs table. Servers starting at once may all try to
// create it: where concurrent CREATE ... IF NOT EXISTS can still collide
// in the catalog (PostgreSQL), the statements run in one transaction that
// first takes the dialect's transaction-scoped lock (a dialect.Locker),
// so they run one server at a time; SQLite serialises writers by itself.
// A failure is retried a few times all the same.
func (j *Runner) migrate(ctx context.Context) error {
	var err error
	for attempt := range 4 {
		if err = j.createTable(ctx); err == nil {
			return nil
		}
		select {
		case <-time.After(time.Duration(attempt+1) * 50 * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("restless: create %s: %w", Table, ctx.Err())
		}
	}
	return fmt.Errorf("restless: create %s: %w", Table, err)
}

// lockKey names the lock that serialises the creation of the jobs table
// where the dialect is a Locker ("restless" in ASCII, as a bigint).
const lockKey = 0x72657374_6c657373

func (j *Runner) createTable(ctx context.Context) error {
	tx, err := j.store.WriteDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if l, ok := j.store.Dialect.(dialect.Locker); ok {
		if _, err := tx.ExecContext(ctx, l.LockStatement(lockKey)); err != nil {
			return err
		}
	}
	for _, stmt := range j.sql.create {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// jsonErrors encodes errs as a JSON array of error objects.
func jsonErrors(errs []*jsonapi.Error) (string, error) {
	b, err := json.Marshal(errs)
	if err != nil {
		return "", fmt.Errorf("restless: encode job errors: %w", err)
	}
	return string(b), nil
}
