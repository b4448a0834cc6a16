package introspect

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// SQLite reads the tables of the main schema of a SQLite database, such
// as the Reader of a [sqlite.DB], and turns them into resources by the
// rules of the package documentation.
//
// [sqlite.DB]: https://pkg.go.dev/github.com/gorestless/restless/sqlite#DB
func SQLite(ctx context.Context, db *sql.DB, opts Options) (*Result, error) {
	tables, err := sqliteTables(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("introspect: sqlite: %w", err)
	}
	return build(tables, opts)
}

func sqliteTables(ctx context.Context, db *sql.DB) ([]*table, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []*table
	for _, n := range names {
		if skipped(n) {
			continue
		}
		t, err := sqliteTable(ctx, db, n)
		if err != nil {
			return nil, fmt.Errorf("table %q: %w", n, err)
		}
		out = append(out, t)
	}
	// SQLite matches names in REFERENCES case-insensitively.
	byLower := map[string]*table{}
	for _, t := range out {
		byLower[strings.ToLower(t.name)] = t
	}
	for _, t := range out {
		for i := range t.fks {
			fk := &t.fks[i]
			ref, ok := byLower[strings.ToLower(fk.refTable)]
			if !ok {
				continue
			}
			fk.refTable = ref.name
			for _, c := range ref.columns {
				if strings.EqualFold(c.name, fk.refColumn) {
					fk.refColumn = c.name
				}
			}
		}
	}
	return out, nil
}

func sqliteTable(ctx context.Context, db *sql.DB, name string) (*table, error) {
	t := &table{name: name}
	rows, err := db.QueryContext(ctx, `SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid`, name)
	if err != nil {
		return nil, err
	}
	type keyPart struct {
		col  string
		pos  int
		decl string
		dflt bool
	}
	var keys []keyPart
	for rows.Next() {
		var (
			col, decl  string
			notNull    bool
			dflt       sql.NullString
			pk, hidden int
		)
		if err := rows.Scan(&col, &decl, &notNull, &dflt, &pk, &hidden); err != nil {
			rows.Close()
			return nil, err
		}
		if hidden == 1 { // a hidden column of a virtual table
			continue
		}
		t.columns = append(t.columns, column{name: col, typ: sqliteType(decl), generated: hidden == 2 || hidden == 3})
		if pk > 0 {
			keys = append(keys, keyPart{col, pk, decl, dflt.Valid})
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	t.pk = make([]string, len(keys))
	for _, k := range keys {
		t.pk[k.pos-1] = k.col
	}
	if len(keys) == 1 {
		// INTEGER PRIMARY KEY is the rowid, which SQLite fills in.
		t.autoKey = keys[0].dflt || strings.EqualFold(strings.TrimSpace(keys[0].decl), "INTEGER")
	}

	rows, err = db.QueryContext(ctx, `SELECT id, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq`, name)
	if err != nil {
		return nil, err
	}
	parts := map[int]int{}
	var fks []struct {
		id int
		fk foreignKey
	}
	for rows.Next() {
		var (
			id        int
			ref, from string
			to        sql.NullString
		)
		if err := rows.Scan(&id, &ref, &from, &to); err != nil {
			rows.Close()
			return nil, err
		}
		parts[id]++
		fks = append(fks, struct {
			id int
			fk foreignKey
		}{id, foreignKey{column: from, refTable: ref, refColumn: to.String}})
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, f := range fks {
		if parts[f.id] != 1 {
			continue // a composite foreign key is no relationship
		}
		if f.fk.refColumn == "" {
			// REFERENCES t without a column names t's primary key.
			ref, err := sqliteKey(ctx, db, f.fk.refTable)
			if err != nil {
				return nil, err
			}
			f.fk.refColumn = ref
		}
		t.fks = append(t.fks, f.fk)
	}
	return t, nil
}

// sqliteKey returns the single-column primary key of table name, or "".
func sqliteKey(ctx context.Context, db *sql.DB, name string) (string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_xinfo(?) WHERE pk > 0`, name)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return "", err
		}
		keys = append(keys, k)
	}
	if len(keys) != 1 {
		return "", rows.Err()
	}
	return keys[0], rows.Err()
}
