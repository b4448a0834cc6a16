package restless

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/query"
)

type collectionHandler struct {
	api  *API
	plan *plan
}

func (h *collectionHandler) allow() string {
	s := "GET, HEAD"
	if allows(h.plan.res, OpCreate) {
		s += ", POST"
	}
	return s + bulkMethods(h.plan) + ", OPTIONS"
}

func (h *collectionHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.list(w, r)
	case http.MethodPost:
		if !allows(h.plan.res, OpCreate) {
			methodNotAllowed(w, r, h.allow())
			return
		}
		h.create(w, r)
	case http.MethodPatch, http.MethodDelete:
		h.bulk(w, r)
	case http.MethodOptions:
		options(w, h.allow())
	default:
		methodNotAllowed(w, r, h.allow())
	}
}

func (h *collectionHandler) list(w http.ResponseWriter, r *http.Request) {
	params, err := h.api.parseQuery(r, h.plan, h.api.queryConfig(r, h.plan, true))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	doc, err := h.api.list(r, h.plan, params, h.api.linker(r).collection(h.plan.schema))
	if err != nil {
		WriteError(w, r, h.api.readError(r, h.plan.schema, err))
		return
	}
	WriteDocument(w, r, http.StatusOK, doc)
}

// list reads the page of p's collection that params select.
// self is the collection's URL without query.
func (a *API) list(r *http.Request, p *plan, params query.Params, self string) (*Document, error) {
	ctx := r.Context()
	sp := p.only(params.Fields[p.schema.Type])
	// The base query is built only when the page's SQL text is not
	// cached.
	baseOf := func() (sq.SelectBuilder, error) {
		b, err := a.selectBase(ctx, sp)
		return where(b, params.Filter), err
	}
	l := a.linker(r)
	q := r.URL.Query()
	page := params.Page

	if params.Single || page.Style == query.PageCursor {
		base, err := baseOf()
		if err != nil {
			return nil, err
		}
		if page.Style == query.PageCursor && !params.Single {
			return a.listCursor(r, sp, l, base, params, self, q)
		}
		data, _, err := a.readRows(r, sp, l, orderBy(base, params.Sort, false).Limit(2), 0)
		if err != nil {
			return nil, err
		}
		switch len(data) {
		case 0:
			return nil, ErrNotFound
		case 1:
			doc := &Document{Data: data[0], Links: &Links{Self: withQuery(self, q)}}
			return doc, a.complete(r, l, p, data, params, doc)
		}
		return nil, &Error{Status: http.StatusBadRequest, Title: "Not Single", Detail: "More than one resource matches the filters.",
			Source: Parameter(params.SingleParam)}
	}

	shape, want, err := render(append([]sq.Sqlizer{params.Filter}, query.OrderBy(params.Sort, false)...)...)
	if err != nil {
		return nil, err
	}
	text, args, err := a.cachedSQL(ctx, sp, "page"+shape+"\x00"+strconv.Itoa(page.Size)+"\x00"+strconv.Itoa(page.Start), want,
		func() (string, []any, error) {
			base, err := baseOf()
			if err != nil {
				return "", nil, err
			}
			return orderBy(base, params.Sort, false).Limit(uint64(page.Size)).Offset(uint64(page.Start)).
				PlaceholderFormat(a.dialect().Placeholder()).ToSql()
		})
	if err != nil {
		return nil, err
	}
	data, _, err := a.readRowsSQL(r, sp, l, text, args, 0)
	if err != nil {
		return nil, err
	}
	// A first page that is not full holds every row: no count needed.
	total := int64(len(data))
	if page.Start > 0 || len(data) == page.Size {
		if total, err = a.count(r, p, params.Filter); err != nil {
			return nil, err
		}
	}
	doc := &Document{
		Data:  data,
		Links: pageLinks(self, q, page, total),
		Meta:  map[string]any{"total": total},
	}
	return doc, a.complete(r, l, p, data, params, doc)
}

// complete adds the included resources and relationship counts params
// ask for to doc, whose primary data are objs of plan p.
func (a *API) complete(r *http.Request, l *linker, p *plan, objs []*Object, params query.Params, doc *Document) error {
	if len(params.WithCount) > 0 {
		if err := a.counts(r, p, objs, params.WithCount); err != nil {
			return err
		}
	}
	if len(params.Include) == 0 {
		return nil
	}
	included, err := a.include(r, l, p, objs, params)
	if err != nil {
		return err
	}
	doc.Included = included
	return nil
}

// listCursor reads a page of the cursor pagination profile.
func (a *API) listCursor(r *http.Request, p *plan, l *linker, base sq.SelectBuilder, params query.Params, self string, q url.Values) (*Document, error) {
	page := params.Page
	backwards := page.Before != nil
	stmt := base
	switch {
	case page.After != nil:
		stmt = stmt.Where(query.Seek(params.Sort, page.After, false))
	case backwards:
		stmt = stmt.Where(query.Seek(params.Sort, page.Before, true))
	}
	for _, k := range params.Sort {
		stmt = stmt.Column(k.Key)
	}
	stmt = orderBy(stmt, params.Sort, backwards).Limit(uint64(page.Size) + 1)
	data, keys, err := a.readRows(r, p, l, stmt, len(params.Sort))
	if err != nil {
		return nil, err
	}
	more := len(data) > page.Size
	if more {
		data, keys = data[:page.Size], keys[:page.Size]
	}
	if backwards {
		slices.Reverse(data)
		slices.Reverse(keys)
	}
	link := func(param string, vals []any) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "page[after]" && k != "page[before]" {
				v[k] = vs
			}
		}
		v.Set("page[size]", strconv.Itoa(page.Size))
		if param != "" {
			v.Set(param, query.EncodeCursor(params.Sort, vals))
		}
		return withQuery(self, v)
	}
	links := &Links{Self: withQuery(self, q), First: link("", nil), NullPrevNext: true}
	if len(data) > 0 {
		if backwards && more || page.After != nil {
			links.Prev = link("page[before]", keys[0])
		}
		if !backwards && more || backwards {
			links.Next = link("page[after]", keys[len(keys)-1])
		}
	} else if page.After != nil {
		links.Prev = link("page[before]", page.After)
	} else if backwards {
		links.Next = link("page[after]", page.Before)
	}
	doc := &Document{Data: data, Links: links, Profile: params.Profiles}
	return doc, a.complete(r, l, p, data, params, doc)
}

// readRows runs stmt and reads its rows; extra trailing columns (sort
// keys) are returned beside each object.
func (a *API) readRows(r *http.Request, p *plan, l *linker, stmt sq.SelectBuilder, extra int) ([]*Object, [][]any, error) {
	text, args, err := stmt.PlaceholderFormat(a.dialect().Placeholder()).ToSql()
	if err != nil {
		return nil, nil, fmt.Errorf("restless: build list: %w", err)
	}
	return a.readRowsSQL(r, p, l, text, args, extra)
}

// readRowsSQL is readRows of a statement already rendered.
func (a *API) readRowsSQL(r *http.Request, p *plan, l *linker, text string, args []any, extra int) ([]*Object, [][]any, error) {
	rows, err := a.query(r.Context(), text, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	rr := p.reader(l, extra)
	data := []*Object{}
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
func (a *API) count(r *http.Request, p *plan, filter sq.Sqlizer) (int64, error) {
	shape, want, err := render(filter)
	if err != nil {
		return 0, err
	}
	text, args, err := a.cachedSQL(r.Context(), p, "count"+shape, want, func() (string, []any, error) {
		base, err := a.rowsOf(r.Context(), p)
		if err != nil {
			return "", nil, err
		}
		return sq.Select("count(*)").FromSelect(where(base.Columns(p.idExpr), filter), "c").
			PlaceholderFormat(a.dialect().Placeholder()).ToSql()
	})
	if err != nil {
		return 0, err
	}
	var n int64
	err = a.scanOne(r.Context(), text, args, &n)
	return n, err
}

// pageLinks returns the self and pagination links of a page, keeping the
// request's other query parameters.
func pageLinks(self string, q url.Values, page query.Page, total int64) *Links {
	size := int64(page.Size)
	start := int64(page.Start)
	lastStart := max((total-1)/size*size, 0)
	q = withoutLegacyPage(q)
	// Each link is q with two page parameters set. url.Values.Encode
	// writes the keys in order, so the other keys are encoded once, in
	// three runs: before, between and after the two page keys.
	k1, k2 := "page[number]", "page[size]"
	if page.Style == query.PageOffset {
		k1, k2 = "page[limit]", "page[offset]"
	}
	var runs [3]url.Values
	for k, vals := range q {
		i := 0
		switch {
		case k == k1 || k == k2:
			continue
		case k > k2:
			i = 2
		case k > k1:
			i = 1
		}
		if runs[i] == nil {
			runs[i] = url.Values{}
		}
		runs[i][k] = vals
	}
	pre, mid, post := runs[0].Encode(), runs[1].Encode(), runs[2].Encode()
	e1, e2 := url.QueryEscape(k1)+"=", url.QueryEscape(k2)+"="
	at := func(start int64) string {
		v1, v2 := strconv.FormatInt(start/size+1, 10), strconv.FormatInt(size, 10)
		if page.Style == query.PageOffset {
			v1, v2 = strconv.FormatInt(size, 10), strconv.FormatInt(start, 10)
		}
		b := make([]byte, 0, len(self)+len(pre)+len(mid)+len(post)+64)
		b = append(b, self...)
		sep := byte('?')
		for _, part := range [...]string{pre, e1 + v1, mid, e2 + v2, post} {
			if part != "" {
				b = append(b, sep)
				b = append(b, part...)
				sep = '&'
			}
		}
		return string(b)
	}
	links := &Links{Self: withQuery(self, q), First: at(0), Last: at(lastStart)}
	if start > 0 {
		links.Prev = at(min(max(start-size, 0), lastStart))
	}
	if start+size < total {
		links.Next = at(start + size)
	}
	return links
}

func (h *collectionHandler) create(w http.ResponseWriter, r *http.Request) {
	p := h.plan
	if _, err := h.api.parseQuery(r, p, h.api.writeConfig(r, p)); err != nil {
		WriteError(w, r, err)
		return
	}
	body, err := h.api.readBody(w, r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	in, err := h.api.decodeObject(body, p.schema, OpCreate)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	var id any
	if in.id != nil {
		if !p.schema.ClientIDs {
			WriteError(w, r, &Error{Status: http.StatusForbidden, Title: "Client-Generated ID Not Allowed",
				Detail: fmt.Sprintf("The server assigns the ids of %q resources.", p.schema.Type), Source: Pointer("/data/id")})
			return
		}
		var ok bool
		if id, ok = h.api.parseID(p.schema.ID, *in.id); !ok {
			WriteError(w, r, badDocument("/data/id", fmt.Sprintf("The id %q cannot be an id of a %q resource.", *in.id, p.schema.Type)))
			return
		}
	}
	if _, ok := p.res.(Provisioner); ok {
		h.provision(w, r, in, id)
		return
	}
	l := h.api.linker(r)
	obj, err := h.api.create(r.Context(), p, l, in, id)
	if err != nil {
		WriteError(w, r, h.api.writeError(r, p.schema, in, err))
		return
	}
	w.Header().Set("Location", obj.Links.Self)
	WriteDocument(w, r, http.StatusCreated, &Document{Data: obj, Links: &Links{Self: obj.Links.Self}})
}

// withoutLegacyPage returns q without the limit and offset of a legacy q
// search, which the pagination links replace with page parameters.
func withoutLegacyPage(q url.Values) url.Values {
	raw := q.Get("q")
	if raw == "" {
		return q
	}
	var search map[string]json.RawMessage
	if json.Unmarshal([]byte(raw), &search) != nil {
		return q
	}
	_, hasLimit := search["limit"]
	_, hasOffset := search["offset"]
	if !hasLimit && !hasOffset {
		return q
	}
	delete(search, "limit")
	delete(search, "offset")
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	if len(search) == 0 {
		out.Del("q")
		return out
	}
	b, err := json.Marshal(search)
	if err != nil {
		return q
	}
	out.Set("q", string(b))
	return out
}
