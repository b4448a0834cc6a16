package restless

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/query"
)

type collectionHandler struct {
	api  *API
	plan *plan
}

func (h *collectionHandler) allow() string {
	if allows(h.plan.res, OpCreate) {
		return "GET, HEAD, POST, OPTIONS"
	}
	return "GET, HEAD, OPTIONS"
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
	case http.MethodOptions:
		options(w, h.allow())
	default:
		methodNotAllowed(w, r, h.allow())
	}
}

func (h *collectionHandler) list(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := h.plan
	params, err := query.Parse(r.URL.Query(), h.api.queryConfig(true))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	base, err := p.selectBase(ctx)
	if err != nil {
		WriteError(w, r, h.api.readError(r, p.schema, err))
		return
	}
	page := params.Page
	ph := h.api.dialect().Placeholder()
	text, args, err := base.
		OrderBy(p.idExpr).
		Limit(uint64(page.Size)).Offset(uint64(page.Offset())).
		PlaceholderFormat(ph).ToSql()
	if err != nil {
		WriteError(w, r, h.api.readError(r, p.schema, fmt.Errorf("restless: build list: %w", err)))
		return
	}
	rows, err := h.api.DB.QueryContext(ctx, text, args...)
	if err != nil {
		WriteError(w, r, h.api.readError(r, p.schema, err))
		return
	}
	defer rows.Close()
	l := h.api.linker(r)
	rr := p.reader(l, 0)
	data := make([]*Object, 0, page.Size)
	for rows.Next() {
		o, err := rr.scan(rows)
		if err != nil {
			WriteError(w, r, h.api.readError(r, p.schema, err))
			return
		}
		data = append(data, o)
	}
	if err := rows.Err(); err != nil {
		WriteError(w, r, h.api.readError(r, p.schema, err))
		return
	}
	rows.Close()
	// A first page that is not full holds every row: no count needed.
	total := int64(len(data))
	if page.Number > 1 || len(data) == page.Size {
		if total, err = h.count(r, p); err != nil {
			WriteError(w, r, h.api.readError(r, p.schema, err))
			return
		}
	}
	self := l.collection(p.schema)
	WriteDocument(w, r, http.StatusOK, &Document{
		Data:  data,
		Links: pageLinks(self, r.URL.Query(), page, total),
		Meta:  map[string]any{"total": total},
	})
}

// count counts the resources the request may see.
func (h *collectionHandler) count(r *http.Request, p *plan) (int64, error) {
	base, err := p.res.Select(r.Context())
	if err != nil {
		return 0, err
	}
	text, args, err := sq.Select("count(*)").FromSelect(base.Columns(p.idExpr), "c").
		PlaceholderFormat(h.api.dialect().Placeholder()).ToSql()
	if err != nil {
		return 0, err
	}
	var n int64
	err = h.api.DB.QueryRowContext(r.Context(), text, args...).Scan(&n)
	return n, err
}

// pageLinks returns the self and pagination links of a page, keeping the
// request's other query parameters.
func pageLinks(self string, q url.Values, page query.Page, total int64) *Links {
	last := int((total + int64(page.Size) - 1) / int64(page.Size))
	if last < 1 {
		last = 1
	}
	at := func(n int) string {
		v := url.Values{}
		for k, vals := range q {
			v[k] = vals
		}
		v.Set("page[number]", strconv.Itoa(n))
		v.Set("page[size]", strconv.Itoa(page.Size))
		return withQuery(self, v)
	}
	links := &Links{Self: withQuery(self, q), First: at(1), Last: at(last)}
	if page.Number > 1 {
		links.Prev = at(min(page.Number-1, last))
	}
	if page.Number < last {
		links.Next = at(page.Number + 1)
	}
	return links
}

func (h *collectionHandler) create(w http.ResponseWriter, r *http.Request) {
	p := h.plan
	if _, err := query.Parse(r.URL.Query(), h.api.queryConfig(false)); err != nil {
		WriteError(w, r, err)
		return
	}
	body, err := h.api.readBody(w, r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	in, err := decodeObject(body, p.schema, OpCreate)
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
		if id, ok = parseID(p.schema.ID.Type, *in.id); !ok {
			WriteError(w, r, badDocument("/data/id", fmt.Sprintf("The id %q cannot be an id of a %q resource.", *in.id, p.schema.Type)))
			return
		}
	}
	l := h.api.linker(r)
	obj, err := h.api.create(r.Context(), p, l, in, id)
	if err != nil {
		WriteError(w, r, h.api.writeError(r, p.schema, in, err))
		return
	}
	obj.LID = in.lid
	w.Header().Set("Location", obj.Links.Self)
	WriteDocument(w, r, http.StatusCreated, &Document{Data: obj, Links: &Links{Self: obj.Links.Self}})
}
