package engine

import (
	"context"
	"fmt"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/dialect"
	"github.com/gorestless/restless/resource"
)

// Soft delete (seed 004's "deactivate"): a resource whose Schema has a
// SoftDelete answers DELETE by marking the row instead of removing it.
//
// Every read of a resource's rows starts from rowsOf, which adds the
// condition that keeps deactivated rows out unless SoftDelete.Visible is
// set. Collections, items, related endpoints, relationship linkage, the
// linkage of to-one relationships, include, withCount, evaluation, has/any
// filters and the existence checks of relationship writes all build on it,
// so a deactivated row is as absent as a deleted one: its item is a 404, it
// is never included, a to-one pointing at it reads null, and a write that
// names it is a 404.

// live returns the condition that a row of table is not deactivated. A
// flag column counts as live unless it is false, so a NULL flag does not
// hide a row; a timestamp column is live while NULL.
func live(s *resource.SoftDelete, table string) sq.Sqlizer {
	col := qualify(table, s.Column)
	if s.Timestamp {
		return sq.Expr(col + " IS NULL")
	}
	return sq.Expr(col + " IS NOT FALSE")
}

// rowsOf returns p's base query without columns: the resource's Select
// (FROM, joins and its row filter) and, for a soft-deleting resource whose
// deactivated rows are not Visible, the condition that keeps them out.
// Every read of a resource's rows must start here rather than at
// Resource.Select.
func (p *Type) rows(ctx context.Context) (sq.SelectBuilder, error) {
	b, err := p.res.Select(ctx)
	if err != nil {
		return b, err
	}
	if sd := p.schema.SoftDelete; sd != nil && !sd.Visible {
		b = b.Where(live(sd, p.schema.Table))
	}
	return b, nil
}

// deactivate returns the statement that soft-deletes the row with key id:
// an UPDATE of the SoftDelete column limited to the rows the resource's
// Select shows, so the row filter applies as it does to a Deleter's
// DELETE. A timestamp keeps the time of the first deactivation when the
// row is deactivated again (only possible with Visible).
func (p *Type) deactivate(ctx context.Context, d dialect.Dialect, id any) (sq.Sqlizer, error) {
	sd := p.schema.SoftDelete
	visible, err := p.rows(ctx)
	if err != nil {
		return nil, err
	}
	col := resource.QuoteIdent(sd.Column)
	var val sq.Sqlizer = sq.Expr("FALSE")
	if sd.Timestamp {
		val = sq.Expr(fmt.Sprintf("COALESCE(%s, %s)", col, d.Function(resource.CurrentTimestamp)))
	}
	return sq.Update(resource.QuoteIdent(p.schema.Table)).Set(col, val).
		Where(sq.Eq{p.idExpr: id}).
		Where(sq.Expr(p.idExpr+" IN (?)", visible.Columns(p.idExpr))), nil
}
