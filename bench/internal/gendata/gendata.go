// Package gendata writes the bench's database: the person and computer
// tables of seed 001 (internal/demo's schema) filled with deterministic rows.
package gendata

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/sqlite"
)

// The bench's sizes.
const (
	Persons   = 10000
	Computers = 30000
)

// OwnerIndex is the index on the foreign key that include=computers and
// the related-collection endpoints look up; a real deployment has it.
const OwnerIndex = `CREATE INDEX computer_owner_id ON computer (owner_id)`

var (
	firstNames = []string{"Ada", "Alan", "Barbara", "Claude", "Dennis", "Edsger", "Frances", "Grace",
		"Hedy", "Ivan", "John", "Ken", "Leslie", "Margaret", "Niklaus", "Radia", "Robin", "Shafi", "Tony", "Whitfield"}
	lastNames = []string{"Lovelace", "Turing", "Liskov", "Shannon", "Ritchie", "Dijkstra", "Allen", "Hopper",
		"Lamarr", "Sutherland", "Backus", "Thompson", "Lamport", "Hamilton", "Wirth", "Perlman", "Milner", "Goldwasser", "Hoare", "Diffie"}
	vendors = []string{"Dell", "Apple", "Lenovo", "HP", "Asus", "Acer", "Framework"}
)

// Person returns the values of person i (1-based): a unique name, an age
// of 18 to 90 and a birth date that agrees with it.
func Person(i int) (name, birthDate string, age int) {
	name = fmt.Sprintf("%s %s %05d", firstNames[i%len(firstNames)], lastNames[(i*7/3)%len(lastNames)], i)
	age = 18 + (i*37)%73
	birthDate = fmt.Sprintf("%04d-%02d-%02d", 2025-age, 1+(i*5)%12, 1+(i*11)%28)
	return name, birthDate, age
}

// Computer returns the values of computer j (1-based). Every person owns
// exactly three computers, spread over the id range.
func Computer(j, persons int) (name, vendor string, owner int, purchase string) {
	name = fmt.Sprintf("host-%05d", j)
	vendor = vendors[(j*3)%len(vendors)]
	owner = (j-1)*7919%persons + 1
	t := time.Date(2018, 1, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(j) * 4177 * time.Second)
	purchase = t.Format("2006-01-02 15:04:05")
	return name, vendor, owner, purchase
}

// Generate creates the SQLite file at path with persons persons and
// computers computers, in one transaction. The three seed rows of
// demo.Schema are dropped, so ids run from 1 to persons and 1 to
// computers. The file must not exist.
func Generate(ctx context.Context, path string, persons, computers int) error {
	if persons < 1 || computers < 0 {
		return errors.New("gendata: need at least one person")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("gendata: %s exists", path)
	}
	db, err := sql.Open("sqlite", sqlite.DSN(path, true))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schemaOnly()); err != nil {
		return fmt.Errorf("gendata: schema: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ps, err := tx.PrepareContext(ctx, `INSERT INTO person (id, name, birth_date, age) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	for i := 1; i <= persons; i++ {
		name, birth, age := Person(i)
		if _, err := ps.ExecContext(ctx, i, name, birth, age); err != nil {
			return fmt.Errorf("gendata: person %d: %w", i, err)
		}
	}
	cs, err := tx.PrepareContext(ctx, `INSERT INTO computer (id, name, vendor, owner_id, purchase_time) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	for j := 1; j <= computers; j++ {
		name, vendor, owner, purchase := Computer(j, persons)
		if _, err := cs.ExecContext(ctx, j, name, vendor, owner, purchase); err != nil {
			return fmt.Errorf("gendata: computer %d: %w", j, err)
		}
	}
	if _, err := tx.ExecContext(ctx, OwnerIndex); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// Fold the WAL into the file, so a plain copy of it is complete.
	if _, err := db.ExecContext(ctx, `ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return err
	}
	return db.Close()
}

// schemaOnly is demo.Schema without its INSERT statements.
func schemaOnly() string {
	var keep []string
	for stmt := range strings.SplitSeq(demo.Schema, ";") {
		if s := strings.TrimSpace(stmt); s != "" && !strings.HasPrefix(strings.ToUpper(s), "INSERT") {
			keep = append(keep, s)
		}
	}
	return strings.Join(keep, ";\n") + ";"
}
