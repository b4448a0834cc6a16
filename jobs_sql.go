package restless

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
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

// JobsSchema returns the statements that create the jobs table for the
// database of dialect d, for those who run their migrations themselves.
// [Jobs.Start] runs them too; they do nothing when the table exists.
func JobsSchema(d Dialect) ([]string, error) {
	if _, err := nowMillis(d); err != nil {
		return nil, err
	}
	return jobsDDL, nil
}

// nowMillis returns the SQL expression of the database's current time in
// milliseconds since 1970.
func nowMillis(d Dialect) (string, error) {
	switch d.Name() {
	case "sqlite":
		return `CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)`, nil
	case "postgres":
		return `CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)`, nil
	}
	return "", fmt.Errorf("restless: jobs need the sqlite or postgres dialect, not %q", d.Name())
}

func newJobSQL(d Dialect) (jobSQL, error) {
	now, err := nowMillis(d)
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

// jobRecord is a job as the table holds it.
type jobRecord struct {
	id, typ, state, scope string
	result                string
	errors                json.RawMessage
	created, updated      int64
	expired               bool
}

// loadJob reads the job with the given id, or returns ErrNotFound.
func (q jobSQL) loadJob(ctx context.Context, db *sql.DB, id string) (*jobRecord, error) {
	rec := &jobRecord{id: id}
	var result, errs sql.NullString
	err := db.QueryRowContext(ctx, q.load, id).Scan(&rec.typ, &rec.state, &rec.scope, &result, &errs,
		&rec.created, &rec.updated, &rec.expired)
	if err == sql.ErrNoRows {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	rec.result = result.String
	if errs.Valid {
		rec.errors = json.RawMessage(errs.String)
	}
	return rec, nil
}

// migrate creates the jobs table. Servers starting at once may all try to
// create it: on PostgreSQL, where concurrent CREATE ... IF NOT EXISTS can
// still collide in the catalog, the statements run in one transaction
// that first takes a transaction-scoped advisory lock, so they run one
// server at a time; SQLite serialises writers by itself. A failure is
// retried a few times all the same.
func (j *Jobs) migrate(ctx context.Context) error {
	var err error
	for attempt := range 4 {
		if err = j.createTable(ctx); err == nil {
			return nil
		}
		select {
		case <-time.After(time.Duration(attempt+1) * 50 * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("restless: create %s: %w", JobsTable, ctx.Err())
		}
	}
	return fmt.Errorf("restless: create %s: %w", JobsTable, err)
}

// jobsLockKey is the advisory lock that serialises the creation of the
// jobs table on PostgreSQL ("restless" in ASCII, as a bigint).
const jobsLockKey = 0x72657374_6c657373

func (j *Jobs) createTable(ctx context.Context) error {
	tx, err := j.api.writeDB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if j.api.dialect().Name() == "postgres" {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(`+strconv.FormatInt(jobsLockKey, 10)+`)`); err != nil {
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
func jsonErrors(errs []*Error) (string, error) {
	b, err := json.Marshal(errs)
	if err != nil {
		return "", fmt.Errorf("restless: encode job errors: %w", err)
	}
	return string(b), nil
}
