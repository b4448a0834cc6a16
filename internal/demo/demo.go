// Package demo holds the demo database: seed 001's people and their
// computers, and seed 004's users and friendships. The command serves it
// and the tests use it as their fixture.
package demo

import (
	"context"
	_ "embed"

	"github.com/gorestless/restless/resource"
	"github.com/gorestless/restless/sqlite"
)

// Schema creates and fills the demo tables.
//
//go:embed demo.sql
var Schema string

// UsersSchema creates seed 004's users and their friendships, empty.
//
//go:embed users.sql
var UsersSchema string

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
		Attributes: []resource.Attribute{
			{Name: "name"},
			{Name: "birth_date", Type: resource.Date},
			{Name: "age", Type: resource.Integer},
		},
		Relationships: []resource.Relationship{
			{Name: "computers", Type: "computer", Kind: resource.ToMany, ForeignKey: "owner_id"},
		},
	}
}

// Computer returns the computer resource.
func Computer() *resource.Table {
	return &resource.Table{
		Name: "computer",
		Attributes: []resource.Attribute{
			{Name: "name"},
			{Name: "vendor"},
			{Name: "purchase_time", Type: resource.Timestamp},
		},
		Relationships: []resource.Relationship{
			{Name: "owner", Type: "person", Kind: resource.ToOne, ForeignKey: "owner_id"},
		},
	}
}

// Resources returns the demo's resources.
func Resources() []resource.Resource {
	return []resource.Resource{Person(), Computer()}
}

// Users returns seed 004's users: keyed by email, with a self-referencing
// to-one mom and a many-to-many friends whose link carries "met".
func Users() *resource.Table {
	return &resource.Table{
		Name:      "users",
		IDColumn:  "email",
		StringIDs: true,
		ClientIDs: true,
		Attributes: []resource.Attribute{
			{Name: "password", WriteOnly: true},
			{Name: "gender"},
			{Name: "active", Type: resource.Boolean},
			{Name: "created", Type: resource.Timestamp, ReadOnly: true},
		},
		Relationships: []resource.Relationship{
			{Name: "mom", Type: "users", Kind: resource.ToOne, ForeignKey: "mom"},
			{Name: "friends", Type: "users", Kind: resource.ManyToMany, JoinTable: "friendship",
				JoinKey: "user_id", JoinTargetKey: "friend_id",
				JoinAttributes: []resource.Attribute{
					{Name: "met"},
					{Name: "created", Type: resource.Timestamp, ReadOnly: true},
				}},
		},
	}
}

// OpenAll returns a new in-memory database with every demo table: seed
// 001's people and computers, filled, and seed 004's users and
// friendships, empty.
func OpenAll(ctx context.Context) (*sqlite.DB, error) {
	db, err := Open(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.Exec(ctx, UsersSchema); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// All returns every demo resource, for a database from OpenAll: Person,
// Computer and Users.
func All() []*resource.Table {
	return []*resource.Table{Person(), Computer(), Users()}
}
