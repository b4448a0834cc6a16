// Package resource holds ready implementations of [restless.Resource]:
// [Table], one SQL table declared in a few lines, and [FromStruct], a
// Table derived from a struct tagged the github.com/google/jsonapi way.
//
// Most programs take a Table as is. To change one behaviour, embed it and
// override the method:
//
//	type tenantPeople struct{ *resource.Table }
//
//	func (t tenantPeople) Select(ctx context.Context) (sq.SelectBuilder, error) {
//		b, err := t.Table.Select(ctx)
//		return b.Where(sq.Eq{"tenant": tenantFrom(ctx)}), err
//	}
package resource
