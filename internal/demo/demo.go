// Package demo holds the demo database: seed 001's people and their
// computers, and seed 004's users and friendships. The command serves it
// and the tests use it as their fixture.
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

// Users returns seed 004's users: keyed by email, with a self-referencing
// to-one mom and a many-to-many friends whose link carries "met".
func Users() *resource.Table {
	return &resource.Table{
		Name:      "users",
		IDColumn:  "email",
		StringIDs: true,
		ClientIDs: true,
		Attributes: []restless.Attribute{
			{Name: "password", WriteOnly: true},
			{Name: "gender"},
			{Name: "active", Type: restless.Boolean},
			{Name: "created", Type: restless.Timestamp, ReadOnly: true},
		},
		Relationships: []restless.Relationship{
			{Name: "mom", Type: "users", Kind: restless.ToOne, ForeignKey: "mom"},
			{Name: "friends", Type: "users", Kind: restless.ManyToMany, JoinTable: "friendship",
				JoinKey: "user_id", JoinTargetKey: "friend_id",
				JoinAttributes: []restless.Attribute{
					{Name: "met"},
					{Name: "created", Type: restless.Timestamp, ReadOnly: true},
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
