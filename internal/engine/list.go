package engine

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/query"
	"github.com/gorestless/restless/resource"
)

// A Page is the rows of one page of a collection, as List reads it.
type Page struct {
	// Objects are the page's resources, in order.
	Objects []*jsonapi.Object
	// Total is the number of resources every page holds together, for
	// page-number and offset pagination.
	Total int64
	// Keys are the sort keys of each object, for the cursors of cursor
	// pagination; More says that rows follow the page in the direction it
	// was read.
	Keys [][]any
	More bool
}

// List reads the page of p's collection that params select, in the
// sparse fieldset params names. With params.Single it reads the one
// resource the filters select: a Page of one, ErrNotFound for none, a 400
// for several.
func (e *Engine) List(ctx context.Context, p *Type, l *Linker, params query.Params) (*Page, error) {
	page, err := e.list(ctx, p, l, params)
	return page, readFailure(e.d, p.schema, err)
}

func (e *Engine) list(ctx context.Context, p *Type, l *Linker, params query.Params) (*Page, error) {
	sp := p.only(params.Fields[p.schema.Type])
	// The base query is built only when the page's SQL text is not
	// cached.
	baseOf := func() (sq.SelectBuilder, error) {
		b, err := e.selectBase(ctx, sp)
		return where(b, params.Filter), err
	}
	pg := params.Page

	if params.Single || pg.Style == query.PageCursor {
		base, err := baseOf()
		if err != nil {
			return nil, err
		}
		if pg.Style == query.PageCursor && !params.Single {
			return e.listCursor(ctx, sp, l, base, params)
		}
		data, _, err := e.readRows(ctx, sp, l, orderBy(base, params.Sort, false).Limit(2), 0)
		if err != nil {
			return nil, err
		}
		switch len(data) {
		case 0:
			return nil, resource.ErrNotFound
		case 1:
			return &Page{Objects: data, Total: 1}, nil
		}
		return nil, &jsonapi.Error{Status: 400, Title: "Not Single", Detail: "More than one resource matches the filters.",
			Source: jsonapi.Parameter(params.SingleParam)}
	}

	shape, want, err := render(append([]sq.Sqlizer{params.Filter}, query.OrderBy(params.Sort, false)...)...)
	if err != nil {
		return nil, err
	}
	text, args, err := e.cachedSQL(ctx, sp, "page"+shape+"\x00"+strconv.Itoa(pg.Size)+"\x00"+strconv.Itoa(pg.Start), want,
		func() (string, []any, error) {
			base, err := baseOf()
			if err != nil {
				return "", nil, err
			}
			return orderBy(base, params.Sort, false).Limit(uint64(pg.Size)).Offset(uint64(pg.Start)).
				PlaceholderFormat(e.d.Placeholder()).ToSql()
		})
	if err != nil {
		return nil, err
	}
	data, _, err := e.readRowsSQL(ctx, sp, l, text, args, 0)
	if err != nil {
		return nil, err
	}
	// A first page that is not full holds every row: no count needed.
	total := int64(len(data))
	if pg.Start > 0 || len(data) == pg.Size {
		if total, err = e.count(ctx, p, params.Filter); err != nil {
			return nil, err
		}
	}
	return &Page{Objects: data, Total: total}, nil
}

// listCursor reads a page of the cursor pagination profile.
func (e *Engine) listCursor(ctx context.Context, p *Type, l *Linker, base sq.SelectBuilder, params query.Params) (*Page, error) {
	pg := params.Page
	backwards := pg.Before != nil
	stmt := base
	switch {
	case pg.After != nil:
		stmt = stmt.Where(query.Seek(params.Sort, pg.After, false))
	case backwards:
		stmt = stmt.Where(query.Seek(params.Sort, pg.Before, true))
	}
	for _, k := range params.Sort {
		stmt = stmt.Column(k.Key)
	}
	stmt = orderBy(stmt, params.Sort, backwards).Limit(uint64(pg.Size) + 1)
	data, keys, err := e.readRows(ctx, p, l, stmt, len(params.Sort))
	if err != nil {
		return nil, err
	}
	more := len(data) > pg.Size
	if more {
		data, keys = data[:pg.Size], keys[:pg.Size]
	}
	if backwards {
		slices.Reverse(data)
		slices.Reverse(keys)
	}
	return &Page{Objects: data, Keys: keys, More: more}, nil
}

// Find reads the resource of p with key id, in the sparse fieldset
// fields (nil for every member), or returns ErrNotFound.
func (e *Engine) Find(ctx context.Context, p *Type, l *Linker, fields []string, id any) (*jsonapi.Object, error) {
	obj, err := e.findOne(ctx, readDB{e}, p.only(fields), l, id)
	return obj, readFailure(e.d, p.schema, err)
}

// Complete adds to objs, resources of p read for one response, the
// relationship counts params asks for (withCount) and returns the
// resources params includes, or nil when it includes none.
func (e *Engine) Complete(ctx context.Context, p *Type, l *Linker, objs []*jsonapi.Object, params query.Params) ([]*jsonapi.Object, error) {
	if len(params.WithCount) > 0 {
		if err := e.counts(ctx, p, objs, params.WithCount); err != nil {
			return nil, readFailure(e.d, p.schema, err)
		}
	}
	if len(params.Include) == 0 {
		return nil, nil
	}
	included, err := include(ctx, e, l, p, objs, params)
	return included, readFailure(e.d, p.schema, err)
}

// readRows runs stmt and reads its rows; extra trailing columns (sort
// keys) are returned beside each object.
func (e *Engine) readRows(ctx context.Context, p *Type, l *Linker, stmt sq.SelectBuilder, extra int) ([]*jsonapi.Object, [][]any, error) {
	text, args, err := stmt.PlaceholderFormat(e.d.Placeholder()).ToSql()
	if err != nil {
		return nil, nil, fmt.Errorf("restless: build list: %w", err)
	}
	return e.readRowsSQL(ctx, p, l, text, args, extra)
}

// readRowsSQL is readRows of a statement already rendered.
func (e *Engine) readRowsSQL(ctx context.Context, p *Type, l *Linker, text string, args []any, extra int) ([]*jsonapi.Object, [][]any, error) {
	rows, err := e.query(ctx, text, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	rr := p.reader(l, extra)
	data := []*jsonapi.Object{}
	var keys [][]any
	for rows.Next() {
		o, err := rr.scan(rows)
		if err != nil {
			return nil, nil, err
		}
		data = append(data, o)
		if extra > 0 {
			keys = append(keys, rr.rowKeys())
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	return data, keys, rows.Close()
}

func orderBy(b sq.SelectBuilder, keys []query.Sort, reverse bool) sq.SelectBuilder {
	for _, o := range query.OrderBy(keys, reverse) {
		b = b.OrderByClause(o)
	}
	return b
}

// count counts the resources the request may see that meet filter.
func (e *Engine) count(ctx context.Context, p *Type, filter sq.Sqlizer) (int64, error) {
	shape, want, err := render(filter)
	if err != nil {
		return 0, err
	}
	text, args, err := e.cachedSQL(ctx, p, "count"+shape, want, func() (string, []any, error) {
		base, err := p.rows(ctx)
		if err != nil {
			return "", nil, err
		}
		return sq.Select("count(*)").FromSelect(where(base.Columns(p.idExpr), filter), "c").
			PlaceholderFormat(e.d.Placeholder()).ToSql()
	})
	if err != nil {
		return 0, err
	}
	var n int64
	err = e.scanOne(ctx, text, args, &n)
	return n, err
}

// relatedCondition selects the related resources of parent.
func relatedCondition(target *Type, rel *resource.Relationship, parent any) sq.Sqlizer {
	switch rel.Kind {
	case resource.ToMany:
		return sq.Eq{qualify(target.schema.Table, rel.ForeignKey): parent}
	case resource.ManyToMany:
		sub := sq.Select(qualify(rel.JoinTable, rel.JoinTargetKey)).From(resource.QuoteIdent(rel.JoinTable)).
			Where(sq.Eq{qualify(rel.JoinTable, rel.JoinKey): parent})
		return sq.Expr(target.idExpr+" IN (?)", sub)
	}
	return sq.Expr("(1=0)")
}

// withRelated returns params selecting, besides its own filters, only
// the resources related to parent through rel.
func withRelated(params query.Params, target *Type, rel *resource.Relationship, parent any) query.Params {
	cond := relatedCondition(target, rel, parent)
	if params.Filter != nil {
		params.Filter = sq.And{cond, params.Filter}
	} else {
		params.Filter = cond
	}
	return params
}

// ListRelated reads the page of target resources related to the resource
// with key parent through its to-many relationship rel that params
// select, as List does.
func (e *Engine) ListRelated(ctx context.Context, target *Type, l *Linker, rel *resource.Relationship, parent any, params query.Params) (*Page, error) {
	page, err := e.list(ctx, target, l, withRelated(params, target, rel, parent))
	return page, readFailure(e.d, target.schema, err)
}

// ListLinkage reads the page of the linkage of the to-many relationship
// rel of the resource with key parent: the related resources params
// select, reduced to identifiers, with the join table's attributes of a
// many-to-many as their meta.
func (e *Engine) ListLinkage(ctx context.Context, target *Type, l *Linker, rel *resource.Relationship, parent any, params query.Params) (*Page, error) {
	page, err := e.list(ctx, target.only([]string{}), l, withRelated(params, target, rel, parent))
	if err == nil {
		err = e.linkageMeta(ctx, rel, parent, page.Objects)
	}
	if err != nil {
		return nil, readFailure(e.d, target.schema, err)
	}
	for _, o := range page.Objects {
		o.Links = nil
	}
	return page, nil
}

// linkageMeta sets the join-table attributes of parent's members objs as
// their meta.
func (e *Engine) linkageMeta(ctx context.Context, rel *resource.Relationship, parent any, objs []*jsonapi.Object) error {
	if rel.Kind != resource.ManyToMany || len(rel.JoinAttributes) == 0 || len(objs) == 0 {
		return nil
	}
	cols := []string{qualify(rel.JoinTable, rel.JoinTargetKey)}
	for i := range rel.JoinAttributes {
		cols = append(cols, joinExpr(rel, &rel.JoinAttributes[i]))
	}
	text, args, err := sq.Select(cols...).From(resource.QuoteIdent(rel.JoinTable)).
		Where(sq.Eq{qualify(rel.JoinTable, rel.JoinKey): parent}).
		PlaceholderFormat(e.d.Placeholder()).ToSql()
	if err != nil {
		return err
	}
	rows, err := e.query(ctx, text, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	meta := map[string]map[string]any{}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		m := map[string]any{}
		for i := range rel.JoinAttributes {
			m[rel.JoinAttributes[i].Name] = rawJSON(appendValue(nil, rel.JoinAttributes[i].Type, vals[i+1]))
		}
		meta[formatID(vals[0])] = m
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, o := range objs {
		o.Meta = meta[o.ID]
	}
	return nil
}

// Evaluate runs the functions of params over the resources of p its
// filters select and returns the results by key, such as "sum__age".
func (e *Engine) Evaluate(ctx context.Context, p *Type, params query.Params) (map[string]any, error) {
	meta, err := e.evaluate(ctx, p, params)
	return meta, readFailure(e.d, p.schema, err)
}

func (e *Engine) evaluate(ctx context.Context, p *Type, params query.Params) (map[string]any, error) {
	meta := map[string]any{}
	if len(params.Functions) == 0 {
		return meta, nil
	}
	base, err := p.rows(ctx)
	if err != nil {
		return nil, err
	}
	cols := make([]string, len(params.Functions))
	for i, f := range params.Functions {
		cols[i] = f.SQL
	}
	text, args, err := where(base.Columns(cols...), params.Filter).PlaceholderFormat(e.d.Placeholder()).ToSql()
	if err != nil {
		return nil, fmt.Errorf("restless: build evaluation: %w", err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := e.scanOne(ctx, text, args, ptrs...); err != nil {
		return nil, err
	}
	for i, f := range params.Functions {
		var raw []byte
		switch f.Name {
		case "count", "count_distinct":
			raw = appendValue(nil, resource.Integer, vals[i])
		case "sum", "avg":
			raw = appendValue(nil, resource.Float, vals[i])
		default:
			raw = f.Field.AppendJSON(nil, vals[i])
		}
		meta[f.Key] = rawJSON(raw)
	}
	return meta, nil
}

// rawJSON is encoded JSON kept as is in a meta map.
type rawJSON []byte

func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }

// counts sets meta.count on the to-many relationships named in names of
// objs, with one grouped query per relationship.
func (e *Engine) counts(ctx context.Context, p *Type, objs []*jsonapi.Object, names []string) error {
	for _, name := range names {
		rel, ok := p.schema.Relationship(name)
		if !ok || rel.Kind == resource.ToOne {
			continue
		}
		target, ok := e.Lookup(rel.Type)
		if !ok {
			continue
		}
		n := map[string]int64{}
		for chunk := range slices.Chunk(parentIDs(p, objs), maxIn) {
			b, err := target.rows(ctx)
			if err != nil {
				return err
			}
			var owner string
			if rel.Kind == resource.ToMany {
				owner = qualify(target.schema.Table, rel.ForeignKey)
			} else {
				owner = qualify(rel.JoinTable, rel.JoinKey)
				b = b.Join(resource.QuoteIdent(rel.JoinTable) + " ON " + qualify(rel.JoinTable, rel.JoinTargetKey) + " = " + target.idExpr)
			}
			text, args, err := b.Columns(owner, "count(*)").Where(sq.Eq{owner: chunk}).GroupBy(owner).
				PlaceholderFormat(e.d.Placeholder()).ToSql()
			if err != nil {
				return err
			}
			rows, err := e.query(ctx, text, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id any
				var c int64
				if err := rows.Scan(&id, &c); err != nil {
					rows.Close()
					return err
				}
				n[formatID(id)] = c
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		for _, o := range objs {
			if ro := o.Relationship(name); ro != nil {
				if ro.Meta == nil {
					ro.Meta = map[string]any{}
				}
				ro.Meta["count"] = n[o.ID]
			}
		}
	}
	return nil
}
