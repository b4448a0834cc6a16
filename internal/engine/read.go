package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// queryer is what reads run on: *sql.DB or *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// selectBase returns the resource's base query with the plan's columns:
// the id, the attributes and the linkage of each to-one relationship. The
// linkage reads the related type through its own base query, so a row
// its filter hides shows as null, never as a dangling id.
func (e *Engine) selectBase(ctx context.Context, p *Type) (sq.SelectBuilder, error) {
	b, err := p.rows(ctx)
	if err != nil {
		return b, err
	}
	b = b.Columns(p.cols...)
	for _, rel := range p.toOne() {
		col, err := e.toOneLinkage(ctx, p, rel)
		if err != nil {
			return b, err
		}
		b = b.Column(col)
	}
	return b, nil
}

// toOneLinkage is the expression reading the visible related id of a
// to-one relationship.
func (e *Engine) toOneLinkage(ctx context.Context, p *Type, rel *resource.Relationship) (sq.Sqlizer, error) {
	fk := qualify(p.schema.Table, rel.ForeignKey)
	target, ok := e.Lookup(rel.Type)
	if !ok {
		return sq.Expr(fk), nil
	}
	tb, err := target.rows(ctx)
	if err != nil {
		return nil, err
	}
	sub := tb.Columns(target.idExpr + " AS restless_i")
	return sq.Expr("(SELECT restless_l.restless_i FROM (?) AS restless_l WHERE restless_l.restless_i = "+fk+")", sub), nil
}

// findOne reads the resource with key id through q, or returns ErrNotFound.
func (e *Engine) findOne(ctx context.Context, q queryer, p *Type, l *Linker, id any) (*jsonapi.Object, error) {
	return e.readOne(ctx, q, p, l, id, "")
}

// lockOne is findOne inside a write's transaction: it also locks the row
// until the transaction ends, where the database needs it (PostgreSQL's
// FOR UPDATE), so a check such as If-Match and the write that follows see
// the same row.
func (e *Engine) lockOne(ctx context.Context, tx *sql.Tx, p *Type, l *Linker, id any) (*jsonapi.Object, error) {
	return e.readOne(ctx, txReader{e.writes, tx}, p, l, id, e.d.LockRows())
}

func (e *Engine) readOne(ctx context.Context, q queryer, p *Type, l *Linker, id any, suffix string) (*jsonapi.Object, error) {
	sqlText, args, err := e.cachedSQL(ctx, p, "one\x00"+suffix, []any{id}, func() (string, []any, error) {
		b, err := e.selectBase(ctx, p)
		if err != nil {
			return "", nil, err
		}
		b = b.Where(sq.Eq{p.idExpr: id}).Limit(1)
		if suffix != "" {
			b = b.Suffix(suffix)
		}
		return b.PlaceholderFormat(e.d.Placeholder()).ToSql()
	})
	if err != nil {
		return nil, fmt.Errorf("restless: build select %s: %w", p.schema.Type, err)
	}
	return e.scanFirst(ctx, q, p, l, sqlText, args)
}

// scanFirst runs a query of p's columns through q and reads its first row
// into an object; no row is ErrNotFound.
func (e *Engine) scanFirst(ctx context.Context, q queryer, p *Type, l *Linker, text string, args []any) (*jsonapi.Object, error) {
	rows, err := q.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, resource.ErrNotFound
	}
	o, err := p.reader(l, 0).scan(rows)
	if err != nil {
		return nil, err
	}
	return o, rows.Close()
}

// query runs a read on the engine's DB through the statement cache.
func (e *Engine) query(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	if c := e.stmts; c != nil {
		cs, err := c.get(ctx, text)
		if err != nil {
			return nil, err
		}
		defer c.release(cs)
		return cs.stmt.QueryContext(ctx, args...)
	}
	return e.db.QueryContext(ctx, text, args...)
}

// readDB is the queryer of reads outside a transaction: the engine's DB
// through the statement cache.
type readDB struct{ e *Engine }

func (r readDB) QueryContext(ctx context.Context, text string, args ...any) (*sql.Rows, error) {
	return r.e.query(ctx, text, args...)
}

// scanOne runs a read that returns one row and scans it into dest.
func (e *Engine) scanOne(ctx context.Context, text string, args []any, dest ...any) error {
	rows, err := e.query(ctx, text, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}

// FindRelated reads the resource parent's to-one relationship rel leads
// to, of type target, in the sparse fieldset fields; nil when there is
// none or the request may not see it.
func (e *Engine) FindRelated(ctx context.Context, target *Type, l *Linker, parent *jsonapi.Object, rel *resource.Relationship, fields []string) (*jsonapi.Object, error) {
	var ident struct{ ID string }
	ro := l.relationshipOf(parent, rel.Name)
	if ro == nil || json.Unmarshal(ro.Data, &ident) != nil || ident.ID == "" {
		return nil, nil
	}
	id, _ := parseID(target.schema.ID, ident.ID)
	obj, err := e.findOne(ctx, readDB{e}, target.only(fields), l, id)
	if err == resource.ErrNotFound {
		return nil, nil
	}
	return obj, readFailure(e.d, target.schema, err)
}

// cacheable reports whether reads of p may use the SQL text cache.
func (e *Engine) cacheable(ctx context.Context, p *Type) bool {
	if reg, ok := e.Lookup(p.schema.Type); !ok || reg != p || !p.plainBase(ctx) {
		return false
	}
	for _, rel := range p.toOne() {
		target, ok := e.Lookup(rel.Type)
		if ok && !target.plainBase(ctx) {
			return false
		}
	}
	return true
}

// cachedSQL returns the SQL text and arguments of a read of p: from the
// cache when its base queries allow (see cacheable) and the shape was
// built before, otherwise from build. shape names the kind of read and
// holds the SQL of every part that may vary from request to request;
// want are the arguments of those parts, in order. Anything build
// depends on must be in p or in shape.
func (e *Engine) cachedSQL(ctx context.Context, p *Type, shape string, want []any, build func() (string, []any, error)) (string, []any, error) {
	if !e.cacheable(ctx, p) {
		return build()
	}
	c := e.texts
	k := sqlKey{p: p, shape: shape}
	if t, ok := c.text(k); ok {
		return t, want, nil
	}
	t, args, err := build()
	if err == nil {
		c.store(k, t, args, want)
	}
	return t, args, err
}
