// Package resource is the vocabulary of a restless API's types: what a
// program declares and implements, importing neither package restless
// nor net/http.
//
// A [Resource] names a JSON:API type, describes it with a [Schema]
// ([Attribute], [Relationship], [SoftDelete], value types) and builds
// the github.com/Masterminds/squirrel query that reads it. Writes are
// optional capabilities, found by type assertion: a [Creator], [Updater]
// or [Deleter] accepts POST, PATCH or DELETE; an [Allower] switches them
// off at run time; a [BeforeWriter] and an [AfterWriter] run hooks inside
// the write's transaction, seeing each [Write]; a [Provisioner] creates
// slowly, as a job (package jobs).
//
// Most programs declare a [Table], one SQL table in a few lines, or
// derive one from a struct tagged the github.com/google/jsonapi way with
// [FromStruct]. To change one behaviour, embed a Table and override the
// method:
//
//	type tenantPeople struct{ *resource.Table }
//
//	func (t tenantPeople) Select(ctx context.Context) (sq.SelectBuilder, error) {
//		b, err := t.Table.Select(ctx)
//		return b.Where(sq.Eq{"tenant": tenantFrom(ctx)}), err
//	}
package resource
