package restless

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"sync/atomic"

	sq "github.com/Masterminds/squirrel"
)

// A plan is what a handler precomputes about a Resource: the columns it
// selects, the attribute names it writes and the relationships it shows,
// so rows become resource objects without reflection.
type plan struct {
	res    Resource
	schema *Schema
	idExpr string
	// cols are the SELECT expressions: the id, then the readable
	// attributes. The linkage of the to-one relationships follows.
	cols  []string
	attrs []*Attribute
	// keys are the encoded `"name":` prefixes of attrs, with the leading
	// comma for all but the first.
	keys [][]byte
	// rels are the relationships shown, in schema order.
	rels []*Relationship
	// hiddenOne are the to-one relationships a sparse fieldset hides;
	// their linkage is still read, for include.
	hiddenOne []*Relationship
	err       error
	// plain remembers the last base query plainBase judged.
	plain atomic.Pointer[plainMemo]
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
	for i := range s.Relationships {
		p.rels = append(p.rels, &s.Relationships[i])
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

// only returns the plan of a sparse fieldset: the attributes and
// relationships named in fields, in schema order. A nil fields keeps
// everything.
func (p *plan) only(fields []string) *plan {
	if fields == nil {
		return p
	}
	q := &plan{res: p.res, schema: p.schema, err: p.err, idExpr: p.idExpr, cols: []string{p.idExpr}}
	for _, a := range p.attrs {
		if contains(fields, a.Name) {
			q.addAttr(a)
		}
	}
	for _, r := range p.rels {
		switch {
		case contains(fields, r.Name):
			q.rels = append(q.rels, r)
		case r.Kind == ToOne:
			q.hiddenOne = append(q.hiddenOne, r)
		}
	}
	return q
}

// toOne returns the to-one relationships whose linkage is read: the shown
// ones, then the hidden ones.
func (p *plan) toOne() []*Relationship {
	var out []*Relationship
	for _, r := range p.rels {
		if r.Kind == ToOne {
			out = append(out, r)
		}
	}
	return append(out, p.hiddenOne...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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

// selectBase returns the resource's base query with the plan's columns:
// the id, the attributes and the linkage of each to-one relationship. The
// linkage reads the related type through its own base query, so a row
// its filter hides shows as null, never as a dangling id.
func (a *API) selectBase(ctx context.Context, p *plan) (sq.SelectBuilder, error) {
	if p.err != nil {
		return sq.SelectBuilder{}, p.err
	}
	b, err := a.rowsOf(ctx, p)
	if err != nil {
		return b, err
	}
	b = b.Columns(p.cols...)
	for _, rel := range p.toOne() {
		col, err := a.toOneLinkage(ctx, p, rel)
		if err != nil {
			return b, err
		}
		b = b.Column(col)
	}
	return b, nil
}

// toOneLinkage is the expression reading the visible related id of a
// to-one relationship.
func (a *API) toOneLinkage(ctx context.Context, p *plan, rel *Relationship) (sq.Sqlizer, error) {
	fk := qualify(p.schema.Table, rel.ForeignKey)
	target, ok := a.lookupType(rel.Type)
	if !ok {
		return sq.Expr(fk), nil
	}
	tb, err := a.rowsOf(ctx, target)
	if err != nil {
		return nil, err
	}
	sub := tb.Columns(target.idExpr + " AS restless_i")
	return sq.Expr("(SELECT restless_l.restless_i FROM (?) AS restless_l WHERE restless_l.restless_i = "+fk+")", sub), nil
}

// rowReader scans rows of a plan's columns into objects. extra is the
// number of columns after the plan's (such as sort keys). It allocates
// the objects, links and relationship objects of its rows in blocks, and
// the links of each row in one string, so a page of rows costs a few
// allocations per row instead of several per relationship.
type rowReader struct {
	p     *plan
	vals  []any
	ptrs  []any
	arena []byte
	nOne  int // to-one linkage columns
	extra int
	// prefix is the item link of the type without the id: base, "/",
	// the escaped collection path and "/".
	prefix string
	// scratch builds the links of a row.
	scratch []byte
	// The blocks the next rows take their parts from, and the size of
	// the next block.
	objs  []Object
	links []Links
	ros   []RelationshipObject
	roPtr []*RelationshipObject
	keys  []any
	block int
}

func (p *plan) reader(l *linker, extra int) *rowReader {
	nOne := len(p.toOne())
	n := len(p.cols) + nOne + extra
	rr := &rowReader{p: p, vals: make([]any, n), ptrs: make([]any, n), nOne: nOne, extra: extra, block: 1,
		prefix: l.itemPrefix(p.schema)}
	for i := range rr.vals {
		rr.ptrs[i] = &rr.vals[i]
	}
	return rr
}

// maxBlock bounds the number of rows a reader allocates at once.
const maxBlock = 64

// take makes sure the blocks hold the parts of one more row.
func (rr *rowReader) take() {
	if len(rr.objs) > 0 {
		return
	}
	n := rr.block
	rr.block = min(rr.block*4, maxBlock)
	nRels := len(rr.p.rels)
	rr.objs = make([]Object, n)
	rr.links = make([]Links, n*(1+nRels))
	if nRels > 0 {
		rr.ros = make([]RelationshipObject, n*nRels)
		rr.roPtr = make([]*RelationshipObject, n*nRels)
	}
	if rr.extra > 0 {
		rr.keys = make([]any, n*rr.extra)
	}
}

// scan reads the current row into a new Object.
func (rr *rowReader) scan(rows *sql.Rows) (*Object, error) {
	for i := range rr.vals {
		rr.vals[i] = nil
	}
	if err := rows.Scan(rr.ptrs...); err != nil {
		return nil, fmt.Errorf("restless: scan %s: %w", rr.p.schema.Type, err)
	}
	p := rr.p
	rr.take()
	o := &rr.objs[0]
	rr.objs = rr.objs[1:]

	// The row's links in one string: self, then each relationship's
	// self and related links.
	b := append(rr.scratch[:0], rr.prefix...)
	var id string
	if n, ok := rr.vals[0].(int64); ok {
		b = strconv.AppendInt(b, n, 10)
	} else {
		id = formatID(rr.vals[0])
		b = append(b, url.PathEscape(id)...)
	}
	selfEnd := len(b)
	for _, rel := range p.rels {
		b = append(b, b[:selfEnd]...)
		b = append(b, "/relationships/"...)
		b = append(b, rel.Name...)
		b = append(b, b[:selfEnd]...)
		b = append(b, '/')
		b = append(b, rel.Name...)
	}
	rr.scratch = b
	all := string(b)
	self := all[:selfEnd]
	if id == "" && rr.vals[0] != nil {
		id = self[len(rr.prefix):]
	}
	o.Type, o.ID = p.schema.Type, id

	if len(p.attrs) > 0 {
		start := len(rr.arena)
		b := append(rr.arena, '{')
		for i, a := range p.attrs {
			b = append(b, p.keys[i]...)
			b = appendValue(b, a.Type, rr.vals[i+1])
		}
		b = append(b, '}')
		rr.arena = b
		o.Attributes = b[start:len(b):len(b)]
	}
	links := rr.links[: 1+len(p.rels) : 1+len(p.rels)]
	rr.links = rr.links[1+len(p.rels):]
	links[0].Self = self
	o.Links = &links[0]
	if len(p.rels) > 0 {
		nRels := len(p.rels)
		o.Relationships = rr.roPtr[:nRels:nRels]
		rr.roPtr = rr.roPtr[nRels:]
		ros := rr.ros[:nRels]
		rr.ros = rr.ros[nRels:]
		col := len(p.cols)
		at := selfEnd
		for i, rel := range p.rels {
			l := &links[1+i]
			n := selfEnd + len("/relationships/") + len(rel.Name)
			l.Self = all[at : at+n]
			at += n
			n = selfEnd + 1 + len(rel.Name)
			l.Related = all[at : at+n]
			at += n
			ro := &ros[i]
			ro.Name, ro.Links = rel.Name, l
			if rel.Kind == ToOne {
				ro.Data = rr.identifier(rel.Type, rr.vals[col])
				col++
			}
			o.Relationships[i] = ro
		}
	}
	if len(p.hiddenOne) > 0 {
		col := len(p.cols) + rr.nOne - len(p.hiddenOne)
		o.hidden = make([]*RelationshipObject, len(p.hiddenOne))
		for i, rel := range p.hiddenOne {
			o.hidden[i] = &RelationshipObject{Name: rel.Name, Data: identifier(rel.Type, rr.vals[col+i])}
		}
	}
	return o, nil
}

// rowKeys returns a copy of the extra columns of the current row.
func (rr *rowReader) rowKeys() []any {
	k := rr.keys[:rr.extra:rr.extra]
	rr.keys = rr.keys[rr.extra:]
	copy(k, rr.vals[len(rr.vals)-rr.extra:])
	return k
}

// identifier is the package's identifier, encoded into the reader's
// arena.
func (rr *rowReader) identifier(typ string, id any) []byte {
	if id == nil {
		return []byte("null")
	}
	start := len(rr.arena)
	b := append(rr.arena, `{"type":`...)
	b = appendString(b, typ)
	b = append(b, `,"id":`...)
	b = appendString(b, formatID(id))
	b = append(b, '}')
	rr.arena = b
	return b[start:len(b):len(b)]
}

// identifier encodes the linkage of one related id, or null.
func identifier(typ string, id any) []byte {
	if id == nil {
		return []byte("null")
	}
	b := append([]byte(`{"type":`), appendString(nil, typ)...)
	b = append(b, `,"id":`...)
	b = appendString(b, formatID(id))
	return append(b, '}')
}

// findOne reads the resource with key id through q, or returns ErrNotFound.
func (a *API) findOne(ctx context.Context, q queryer, p *plan, l *linker, id any) (*Object, error) {
	return a.readOne(ctx, q, p, l, id, "")
}

// lockOne is findOne inside a write's transaction: it also locks the row
// until the transaction ends, where the database needs it (PostgreSQL's
// FOR UPDATE), so a check such as If-Match and the write that follows see
// the same row.
func (a *API) lockOne(ctx context.Context, tx *sql.Tx, p *plan, l *linker, id any) (*Object, error) {
	return a.readOne(ctx, txReader{a, tx}, p, l, id, a.dialect().LockRows())
}

func (a *API) readOne(ctx context.Context, q queryer, p *plan, l *linker, id any, suffix string) (*Object, error) {
	sqlText, args, err := a.cachedSQL(ctx, p, "one\x00"+suffix, []any{id}, func() (string, []any, error) {
		b, err := a.selectBase(ctx, p)
		if err != nil {
			return "", nil, err
		}
		b = b.Where(sq.Eq{p.idExpr: id}).Limit(1)
		if suffix != "" {
			b = b.Suffix(suffix)
		}
		return b.PlaceholderFormat(a.dialect().Placeholder()).ToSql()
	})
	if err != nil {
		return nil, fmt.Errorf("restless: build select %s: %w", p.schema.Type, err)
	}
	return a.scanFirst(ctx, q, p, l, sqlText, args)
}

// scanFirst runs a query of p's columns through q and reads its first row
// into an object; no row is ErrNotFound.
func (a *API) scanFirst(ctx context.Context, q queryer, p *plan, l *linker, text string, args []any) (*Object, error) {
	rows, err := q.QueryContext(ctx, text, args...)
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
