package restless

import (
	"context"
	"database/sql"
	"fmt"

	sq "github.com/Masterminds/squirrel"
)

// A plan is what a handler precomputes about a Resource: the columns it
// selects and the attribute names it writes, so rows become resource
// objects without reflection.
type plan struct {
	res    Resource
	schema *Schema
	idExpr string
	// cols are the SELECT expressions: the id, then the readable
	// attributes.
	cols  []string
	attrs []*Attribute
	// keys are the encoded `"name":` prefixes of attrs, with the leading
	// comma for all but the first.
	keys [][]byte
	err  error
}

func newPlan(res Resource) *plan {
	s := res.Schema()
	p := &plan{res: res, schema: s, err: s.Validate()}
	p.idExpr = s.ID.Expr
	if p.idExpr == "" {
		p.idExpr = qualify(s.Table, s.ID.Column)
	}
	p.cols = append(p.cols, p.idExpr)
	for i := range s.Attributes {
		if a := &s.Attributes[i]; a.Readable() {
			p.addAttr(a)
		}
	}
	return p
}

// expr returns the SQL expression that reads a.
func (p *plan) expr(a *Attribute) string {
	if a.Expr != "" {
		return a.Expr
	}
	return qualify(p.schema.Table, a.Column)
}

func (p *plan) addAttr(a *Attribute) {
	p.cols = append(p.cols, p.expr(a))
	key := []byte{}
	if len(p.attrs) > 0 {
		key = append(key, ',')
	}
	key = appendString(key, a.Name)
	key = append(key, ':')
	p.keys = append(p.keys, key)
	p.attrs = append(p.attrs, a)
}

// only returns the plan of a sparse fieldset: the attributes named in
// fields, in schema order. A nil fields keeps every attribute.
func (p *plan) only(fields []string) *plan {
	if fields == nil {
		return p
	}
	q := &plan{res: p.res, schema: p.schema, err: p.err, idExpr: p.idExpr, cols: []string{p.idExpr}}
	for _, a := range p.attrs {
		for _, f := range fields {
			if f == a.Name {
				q.addAttr(a)
				break
			}
		}
	}
	return q
}

func qualify(table, column string) string {
	if table == "" {
		return QuoteIdent(column)
	}
	return QuoteIdent(table) + "." + QuoteIdent(column)
}

// queryer is what reads run on: *sql.DB or *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// selectBase returns the resource's base query with the plan's columns.
func (p *plan) selectBase(ctx context.Context) (sq.SelectBuilder, error) {
	if p.err != nil {
		return sq.SelectBuilder{}, p.err
	}
	b, err := p.res.Select(ctx)
	if err != nil {
		return b, err
	}
	return b.Columns(p.cols...), nil
}

// rowReader scans rows of a plan's columns into objects. extra is the
// number of columns after the plan's (such as a window count).
type rowReader struct {
	p     *plan
	links *linker
	vals  []any
	ptrs  []any
	arena []byte
}

func (p *plan) reader(l *linker, extra int) *rowReader {
	n := len(p.cols) + extra
	rr := &rowReader{p: p, links: l, vals: make([]any, n), ptrs: make([]any, n)}
	for i := range rr.vals {
		rr.ptrs[i] = &rr.vals[i]
	}
	return rr
}

// scan reads the current row into a new Object.
func (rr *rowReader) scan(rows *sql.Rows) (*Object, error) {
	for i := range rr.vals {
		rr.vals[i] = nil
	}
	if err := rows.Scan(rr.ptrs...); err != nil {
		return nil, fmt.Errorf("restless: scan %s: %w", rr.p.schema.Type, err)
	}
	id := formatID(rr.vals[0])
	o := &Object{Type: rr.p.schema.Type, ID: id}
	if len(rr.p.attrs) > 0 {
		start := len(rr.arena)
		b := append(rr.arena, '{')
		for i, a := range rr.p.attrs {
			b = append(b, rr.p.keys[i]...)
			b = appendValue(b, a.Type, rr.vals[i+1])
		}
		b = append(b, '}')
		rr.arena = b
		o.Attributes = b[start:len(b):len(b)]
	}
	o.Links = &Links{Self: rr.links.item(rr.p.schema, id)}
	return o, nil
}

// findOne reads the resource with key id through q, or returns ErrNotFound.
func (p *plan) findOne(ctx context.Context, q queryer, ph sq.PlaceholderFormat, l *linker, id any) (*Object, error) {
	b, err := p.selectBase(ctx)
	if err != nil {
		return nil, err
	}
	sqlText, args, err := b.Where(sq.Eq{p.idExpr: id}).Limit(1).PlaceholderFormat(ph).ToSql()
	if err != nil {
		return nil, fmt.Errorf("restless: build select %s: %w", p.schema.Type, err)
	}
	rows, err := q.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, ErrNotFound
	}
	o, err := p.reader(l, 0).scan(rows)
	if err != nil {
		return nil, err
	}
	return o, rows.Close()
}
