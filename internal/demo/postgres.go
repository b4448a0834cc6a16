package demo

import (
	"context"
	"crypto/rand"
	"database/sql"
	_ "embed"
	"encoding/hex"
	"fmt"

	"github.com/gorestless/restless/postgres"
)

// PostgresSchema is [Schema] for PostgreSQL: identity keys whose sequences
// continue after the seeded ids, and timestamps with time zones.
//
//go:embed demo_postgres.sql
var PostgresSchema string

// PostgresUsersSchema is [UsersSchema] for PostgreSQL.
//
//go:embed users_postgres.sql
var PostgresUsersSchema string

// OpenPostgres creates a schema with a fresh random name in the database
// dsn names, loads [PostgresSchema] into it and returns a pool whose
// sessions work in that schema (search_path), so tests sharing one server
// never see each other's tables. cleanup closes the pool and drops the
// schema with everything in it. opts go to [postgres.Open].
func OpenPostgres(ctx context.Context, dsn string, opts ...postgres.Option) (db *sql.DB, cleanup func(), err error) {
	var b [8]byte
	rand.Read(b[:])
	schema := "restless_demo_" + hex.EncodeToString(b[:])
	// A search_path naming a schema that does not exist yet is allowed;
	// the pool's sessions use the schema once it is created.
	db, err = postgres.Open(ctx, dsn, append(opts, postgres.Param("search_path", schema))...)
	if err != nil {
		return nil, nil, err
	}
	// One round trip and one transaction: the schema and its tables.
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema+";\n"+PostgresSchema); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("demo: load schema: %w", err)
	}
	cleanup = func() {
		// A fresh context: the caller's may be done by now.
		db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		db.Close()
	}
	return db, cleanup, nil
}
