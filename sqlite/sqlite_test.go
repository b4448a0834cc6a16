package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gorestless/restless/dialect"

	"github.com/gorestless/restless/sqlite"
)

// TestConcurrentWrites runs read-then-write transactions from many
// goroutines on a file database: none may fail with SQLITE_BUSY.
func TestConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Exec(ctx, `CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER); INSERT INTO counter VALUES (1, 0)`); err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				tx, err := db.Writer.BeginTx(ctx, nil)
				if err != nil {
					errs <- err
					return
				}
				var n int
				if err := tx.QueryRow(`SELECT n FROM counter WHERE id = 1`).Scan(&n); err != nil {
					tx.Rollback()
					errs <- err
					return
				}
				if _, err := tx.Exec(`UPDATE counter SET n = ? WHERE id = 1`, n+1); err != nil {
					tx.Rollback()
					errs <- err
					return
				}
				if err := tx.Commit(); err != nil {
					errs <- err
				}
				// Readers run beside the writer.
				var m int
				if err := db.Reader.QueryRow(`SELECT n FROM counter`).Scan(&m); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n int
	if err := db.Reader.QueryRow(`SELECT n FROM counter`).Scan(&n); err != nil || n != workers*each {
		t.Errorf("counter = %d (%v), want %d", n, err, workers*each)
	}
}

// TestMemoryShared checks that every connection sees one in-memory database.
func TestMemoryShared(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Exec(ctx, `CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var x int
			if err := db.Reader.QueryRow(`SELECT x FROM t`).Scan(&x); err != nil || x != 7 {
				t.Errorf("reader: x = %d, %v", x, err)
			}
		}()
	}
	wg.Wait()
	other, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Reader.Exec(`SELECT x FROM t`); err == nil {
		t.Error("a second in-memory database sees the first one's table")
	}
}

func TestClassify(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Exec(ctx, `CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER CHECK (n > 0));
		CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id));
		INSERT INTO p VALUES (1, 'a', 1); INSERT INTO c VALUES (1, 1);`); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		stmt string
		want dialect.Failure
	}{
		{`INSERT INTO p (name) VALUES ('a')`, dialect.Failure{Kind: dialect.Unique, Column: "name"}},
		{`INSERT INTO p (id, name) VALUES (1, 'b')`, dialect.Failure{Kind: dialect.Unique, Column: "id"}},
		{`INSERT INTO p (name) VALUES (NULL)`, dialect.Failure{Kind: dialect.NotNull, Column: "name"}},
		{`INSERT INTO p (name, n) VALUES ('c', -1)`, dialect.Failure{Kind: dialect.Check}},
		{`INSERT INTO c (p_id) VALUES (9)`, dialect.Failure{Kind: dialect.ForeignKey}},
		{`DELETE FROM p WHERE id = 1`, dialect.Failure{Kind: dialect.ForeignKey}},
		{`SELECT * FROM nowhere`, dialect.Failure{}},
	}
	for _, tt := range tests {
		t.Run(tt.stmt, func(t *testing.T) {
			_, err := db.Writer.Exec(tt.stmt)
			if err == nil {
				t.Fatal("no error")
			}
			got := sqlite.Dialect.Classify(err)
			if got.Kind != tt.want.Kind || (tt.want.Column != "" && got.Column != tt.want.Column) {
				t.Errorf("Classify(%v) = %+v, want %+v", err, got, tt.want)
			}
		})
	}
}
