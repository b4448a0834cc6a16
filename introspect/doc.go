// Package introspect turns the tables of a SQLite or PostgreSQL database
// into restless resources, so a database can be served without declaring
// anything in Go. The command restless uses it; programs can too:
//
//	res, err := introspect.SQLite(ctx, db.Reader, introspect.Options{})
//	for _, w := range res.Warnings {
//		log.Print(w)
//	}
//	h, err := api.Handler(res.Resources()...)
//
// The rules, in order:
//
//   - Every table is a resource whose type name and URL segment are the
//     table name as written. Tables named sqlite_* and restless_* (such
//     as the jobs table) are skipped, and so are views.
//   - A single-column primary key is the id: integer columns give integer
//     ids, every other type (text, UUID, ...) string ids. A table without
//     one is not exposed, unless it is a join table; a warning says so.
//   - Every other column is an attribute under its own name, typed from
//     the declared column type, except foreign-key columns.
//   - A single-column foreign key to another exposed table's key becomes
//     a to-one relationship named after the column without a trailing
//     "_id" (owner_id gives owner). The referenced table gets the inverse
//     to-many named after the referencing table (person.computer); when
//     one table refers to the same table through several columns, each
//     inverse is named <table>_<to-one name> instead.
//   - A table whose primary key is exactly two foreign-key columns is a
//     join table and no resource: each side gets a many-to-many
//     relationship named after the other column without "_id", so
//     friendship(user_id, friend_id) gives users.friend and users.user;
//     its other columns are the linkage's meta.
//   - The database enforces NOT NULL, defaults, unique constraints and
//     CHECKs; restless turns their violations into 400 and 409 errors.
//     Columns the database computes (generated columns) are read-only.
//     A key without a default (a text or UUID key, say) accepts
//     client-generated ids, since there is no other way to create a row.
//   - A column named "id" (other than the key) or "type" cannot be an
//     attribute: it is left out with a warning unless renamed. So is a
//     member whose name another member already has. A table whose path
//     would be one of restless's own (operations, eval, openapi.json,
//     jobs) is refused unless renamed.
//   - [Options.Rename] overrides any name the rules produce: "table"
//     gives the type (and URL segment); "table.column" names what the
//     column becomes: an attribute, a to-one, a linkage meta member or,
//     for a key column of a join table, the many-to-many named after it
//     (friendship.friend_id renames users.friend); "table.name" renames
//     the to-many inverse the rules named name on that table
//     (person.computer).
package introspect
