package engine

import (
	"context"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// A write normally reads the row it changes twice inside its transaction:
// before the statement (does the row exist, is it visible, does If-Match
// hold) and after it (the object of the reply, which must still be
// visible). The functions here let a write skip those reads when nothing
// could tell the difference: no hook runs in between, no row filter hides
// rows, and the reply can come from the statement's RETURNING clause.

// plainBase reports whether p's base query for the request in ctx reads
// the whole table: no row filter, no join, no hidden deactivated rows,
// nothing but FROM the table. Every row of the table is then visible to
// the request. It judges the query every read starts from (rowsOf), so a
// condition restless itself adds, such as soft delete's, counts as well as
// the resource's own. A base query that fails to build counts as not
// plain, so the write takes its usual path and meets the failure where it
// always did.
func (p *Type) plainBase(ctx context.Context) bool {
	b, err := p.rows(ctx)
	if err != nil {
		return false
	}
	// Builders are immutable: a resource handing out the same builder
	// again (resource.Table without a Filter does) asks the same query.
	if m := p.plain.Load(); m != nil && m.b == b {
		return m.plain
	}
	text, args, err := b.Columns("1").ToSql()
	plain := err == nil && len(args) == 0 && text == "SELECT 1 FROM "+resource.QuoteIdent(p.schema.Table)
	p.plain.Store(&plainMemo{b: b, plain: plain})
	return plain
}

// plainMemo is a base query and whether it is plain.
type plainMemo struct {
	b     sq.SelectBuilder
	plain bool
}

// skipPreRead reports whether an update on p can do without reading the
// row first: without If-Match, relationship changes or a BeforeWrite hook,
// and with a base query that hides no rows, the read could only answer 404
// for a missing row, which the UPDATE itself finds out (no row changed).
// The update must change attributes for that.
func (p *Type) skipPreRead(ctx context.Context, in *Input) bool {
	if in.IfMatch != "" || len(in.links) > 0 || len(in.values) == 0 {
		return false
	}
	if before, _ := p.writeHooks(resource.OpUpdate); before {
		return false
	}
	return p.plainBase(ctx)
}

// returning returns the RETURNING clause that reads the row a write on p
// changes the way findOne does (the plan's columns, then the linkage of
// each to-one relationship), or nil when the write must read the row back
// with a query of its own: when an AfterWrite hook runs between the
// statement and that read, when to-many relationships change, when the
// base query may hide the row (the read checks that it stays visible),
// when an attribute or the id is a computed expression, or when a to-one
// relationship points into the written table (RETURNING may not see rows
// as the statement leaves them).
func (tx *Tx) returning(ctx context.Context, p *Type, op resource.Op, in *Input) (sq.Sqlizer, error) {
	if len(in.changes()) > 0 {
		return nil, nil
	}
	if _, after := p.writeHooks(op); after {
		return nil, nil
	}
	if p.schema.ID.Expr != "" {
		return nil, nil
	}
	for _, at := range p.attrs {
		if at.Expr != "" {
			return nil, nil
		}
	}
	toOne := p.toOne()
	for _, rel := range toOne {
		if target, ok := tx.e.Lookup(rel.Type); ok && target.schema.Table == p.schema.Table {
			return nil, nil
		}
	}
	if !p.plainBase(ctx) {
		return nil, nil
	}
	parts := make([]any, 0, 2+2*len(toOne))
	parts = append(parts, "RETURNING ")
	for i, c := range p.cols {
		if i > 0 {
			parts = append(parts, ", ")
		}
		parts = append(parts, c)
	}
	for _, rel := range toOne {
		col, err := tx.e.toOneLinkage(ctx, p, rel)
		if err != nil {
			return nil, err
		}
		parts = append(parts, ", ", col)
	}
	return sq.ConcatExpr(parts...), nil
}

// returnRow runs stmt, a write ending in a clause from returning, in tx
// and reads the row it returns; no row is ErrNotFound.
func (tx *Tx) returnRow(ctx context.Context, p *Type, l *Linker, stmt sq.Sqlizer) (*jsonapi.Object, error) {
	text, args, err := stmt.ToSql()
	if err != nil {
		return nil, err
	}
	return tx.e.scanFirst(ctx, txReader{tx.e.writes, tx.tx}, p, l, text, args)
}
