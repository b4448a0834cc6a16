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
	return page, e.readFailure(p.schema, err)
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
	return obj, e.readFailure(p.schema, err)
}

// Complete adds to objs, resources of p read for one response, the
// relationship counts params asks for (withCount) and returns the
// resources params includes, or nil when it includes none.
func (e *Engine) Complete(ctx context.Context, p *Type, l *Linker, objs []*jsonapi.Object, params query.Params) ([]*jsonapi.Object, error) {
	if len(params.WithCount) > 0 {
		if err := e.counts(ctx, p, objs, params.WithCount); err != nil {
			return nil, e.readFailure(p.schema, err)
		}
	}
	if len(params.Include) == 0 {
		return nil, nil
	}
	included, err := e.include(ctx, l, p, objs, params)
	return included, e.readFailure(p.schema, err)
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
		base, err := e.rowsOf(ctx, p)
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
