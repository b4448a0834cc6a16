package introspect

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// Postgres reads the tables of one schema of a PostgreSQL database and
// turns them into resources by the rules of the package documentation.
// An empty schema means the first schema of the connection's search_path
// (current_schema()). restless names tables without their schema, so
// the schema must come first on the search_path of db's connections: the
// command's -schema flag sets it.
func Postgres(ctx context.Context, db *sql.DB, schema string, opts Options) (*Result, error) {
	if schema == "" {
		var s sql.NullString
		if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&s); err != nil {
			return nil, fmt.Errorf("introspect: postgres: %w", err)
		}
		if !s.Valid {
			return nil, fmt.Errorf("introspect: postgres: the search_path names no existing schema")
		}
		schema = s.String
	}
	tables, err := postgresTables(ctx, db, schema)
	if err != nil {
		return nil, fmt.Errorf("introspect: postgres: schema %q: %w", schema, err)
	}
	if len(tables) == 0 {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, schema).Scan(&n); err != nil {
			return nil, fmt.Errorf("introspect: postgres: %w", err)
		}
		if n == 0 {
			return nil, fmt.Errorf("introspect: postgres: no schema %q", schema)
		}
	}
	return build(tables, opts)
}

const pgColumns = `
SELECT c.table_name, c.column_name, c.data_type, c.column_default IS NOT NULL OR c.is_identity = 'YES',
       c.is_generated = 'ALWAYS'
FROM information_schema.columns c
JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE'
ORDER BY c.table_name, c.ordinal_position`

const pgConstraints = `
SELECT cl.relname, con.contype,
       (SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n)::text,
       coalesce(fns.nspname, ''), coalesce(fcl.relname, ''),
       coalesce((SELECT json_agg(a.attname ORDER BY k.i) FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
          JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n)::text, '[]')
FROM pg_constraint con
JOIN pg_class cl ON cl.oid = con.conrelid
JOIN pg_namespace ns ON ns.oid = cl.relnamespace
LEFT JOIN pg_class fcl ON fcl.oid = con.confrelid
LEFT JOIN pg_namespace fns ON fns.oid = fcl.relnamespace
WHERE ns.nspname = $1 AND con.contype IN ('p', 'f')
ORDER BY cl.relname, con.conname`

func postgresTables(ctx context.Context, db *sql.DB, schema string) ([]*table, error) {
	byName := map[string]*table{}
	var out []*table
	defaults := map[[2]string]bool{}
	rows, err := db.QueryContext(ctx, pgColumns, schema)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var tn, col, dataType string
		var dflt, generated bool
		if err := rows.Scan(&tn, &col, &dataType, &dflt, &generated); err != nil {
			rows.Close()
			return nil, err
		}
		t, ok := byName[tn]
		if !ok {
			t = &table{name: tn}
			byName[tn] = t
			out = append(out, t)
		}
		t.columns = append(t.columns, column{name: col, typ: postgresType(dataType), generated: generated, uuid: dataType == "uuid"})
		defaults[[2]string{tn, col}] = dflt || generated
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = db.QueryContext(ctx, pgConstraints, schema)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var tn, kind, cols, refSchema, refTable, refCols string
		if err := rows.Scan(&tn, &kind, &cols, &refSchema, &refTable, &refCols); err != nil {
			return nil, err
		}
		t, ok := byName[tn]
		if !ok {
			continue
		}
		var from, to []string
		if err := json.Unmarshal([]byte(cols), &from); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(refCols), &to); err != nil {
			return nil, err
		}
		switch kind {
		case "p":
			t.pk = from
			if len(from) == 1 {
				t.autoKey = defaults[[2]string{tn, from[0]}]
			}
		case "f":
			// Only single-column keys are relationships; a key into
			// another schema names a table no resource serves, so the
			// column stays an attribute, with a warning.
			if len(from) == 1 && len(to) == 1 {
				if refSchema != schema {
					refTable = refSchema + "." + refTable
				}
				t.fks = append(t.fks, foreignKey{column: from[0], refTable: refTable, refColumn: to[0]})
			}
		}
	}
	return out, rows.Err()
}
