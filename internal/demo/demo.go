// Package demo holds the demo database of seed 001: people and their
// computers. The command serves it and the tests use it as their fixture.
package demo

import (
	"context"
	_ "embed"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/resource"
	"github.com/gorestless/restless/sqlite"
)

// Schema creates and fills the demo tables.
//
//go:embed demo.sql
var Schema string

// Open returns a new in-memory demo database.
func Open(ctx context.Context) (*sqlite.DB, error) {
	db, err := sqlite.OpenMemory(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.Exec(ctx, Schema); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Person returns the person resource.
func Person() *resource.Table {
	return &resource.Table{
		Name: "person",
		Attributes: []restless.Attribute{
			{Name: "name"},
			{Name: "birth_date", Type: restless.Date},
			{Name: "age", Type: restless.Integer},
		},
		Relationships: []restless.Relationship{
			{Name: "computers", Type: "computer", Kind: restless.ToMany, ForeignKey: "owner_id"},
		},
	}
}

// Computer returns the computer resource.
func Computer() *resource.Table {
	return &resource.Table{
		Name: "computer",
		Attributes: []restless.Attribute{
			{Name: "name"},
			{Name: "vendor"},
			{Name: "purchase_time", Type: restless.Timestamp},
		},
		Relationships: []restless.Relationship{
			{Name: "owner", Type: "person", Kind: restless.ToOne, ForeignKey: "owner_id"},
		},
	}
}

// Resources returns the demo's resources.
func Resources() []restless.Resource {
	return []restless.Resource{Person(), Computer()}
}
