package restless

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorestless/restless/internal/engine"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/query"
	"github.com/gorestless/restless/resource"
)

// collectionHandler serves a collection: GET lists, POST creates, PATCH
// and DELETE change in bulk (bulk.go).
type collectionHandler struct {
	api *API
	t   *engine.Type
}

func (h *collectionHandler) allow() string {
	s := "GET, HEAD"
	if h.t.Allows(resource.OpCreate) {
		s += ", POST"
	}
	return s + bulkMethods(h.t) + ", OPTIONS"
}

func (h *collectionHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.list(w, r)
	case http.MethodPost:
		if !h.t.Allows(resource.OpCreate) {
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
	a := h.api
	params, err := parseQuery(r, a.queryConfig(r, h.t, true))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	l := a.linker(r)
	doc, err := listDocument(r, a.engine(), h.t, l, params, l.Collection(h.t.Schema()), func() (*engine.Page, error) {
		return a.engine().List(r.Context(), h.t, l, params)
	})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	WriteDocument(w, r, http.StatusOK, doc)
}

// listDocument reads a page with read and returns its document: the
// data, the pagination links of the page's style with the request's other
// query parameters, meta.total (but on cursor and single pages), and the
// included resources params ask for. self is the collection's URL
// without query; t is the type of the page's resources.
func listDocument(r *http.Request, e *engine.Engine, t *engine.Type, l *engine.Linker, params query.Params, self string,
	read func() (*engine.Page, error)) (*jsonapi.Document, error) {
	page, err := read()
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	var doc *jsonapi.Document
	switch {
	case params.Single:
		doc = &jsonapi.Document{Data: page.Objects[0], Links: &jsonapi.Links{Self: withQuery(self, q)}}
	case params.Page.Style == query.PageCursor:
		doc = &jsonapi.Document{Data: page.Objects, Links: cursorLinks(self, q, params, page), Profile: params.Profiles}
	default:
		doc = &jsonapi.Document{Data: page.Objects, Links: pageLinks(self, q, params.Page, page.Total),
			Meta: map[string]any{"total": page.Total}}
	}
	if doc.Included, err = e.Complete(r.Context(), t, l, page.Objects, params); err != nil {
		return nil, err
	}
	return doc, nil
}

// cursorLinks returns the links of a page of the cursor pagination
// profile: prev and next carry the cursors of the page's first and last
// rows, and are null where no page lies that way.
func cursorLinks(self string, q url.Values, params query.Params, page *engine.Page) *jsonapi.Links {
	pg := params.Page
	backwards := pg.Before != nil
	link := func(param string, vals []any) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "page[after]" && k != "page[before]" {
				v[k] = vs
			}
		}
		v.Set("page[size]", strconv.Itoa(pg.Size))
		if param != "" {
			v.Set(param, query.EncodeCursor(params.Sort, vals))
		}
		return withQuery(self, v)
	}
	links := &jsonapi.Links{Self: withQuery(self, q), First: link("", nil), NullPrevNext: true}
	if keys := page.Keys; len(page.Objects) > 0 {
		if backwards && page.More || pg.After != nil {
			links.Prev = link("page[before]", keys[0])
		}
		if !backwards && page.More || backwards {
			links.Next = link("page[after]", keys[len(keys)-1])
		}
	} else if pg.After != nil {
		links.Prev = link("page[before]", pg.After)
	} else if backwards {
		links.Next = link("page[after]", pg.Before)
	}
	return links
}

// pageLinks returns the self and pagination links of a page, keeping the
// request's other query parameters.
func pageLinks(self string, q url.Values, page query.Page, total int64) *jsonapi.Links {
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
	links := &jsonapi.Links{Self: withQuery(self, q), First: at(0), Last: at(lastStart)}
	if start > 0 {
		links.Prev = at(min(max(start-size, 0), lastStart))
	}
	if start+size < total {
		links.Next = at(start + size)
	}
	return links
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

func (h *collectionHandler) create(w http.ResponseWriter, r *http.Request) {
	a, t := h.api, h.t
	e := a.engine()
	if _, err := parseQuery(r, a.writeConfig(r, t)); err != nil {
		a.writeError(w, r, err)
		return
	}
	body, err := a.readBody(w, r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	in, err := e.DecodeObject(body, t, resource.OpCreate)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	id, err := e.NewKey(t, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if _, ok := t.Resource().(resource.Provisioner); ok {
		h.provision(w, r, in, id)
		return
	}
	obj, err := e.Create(r.Context(), t, a.linker(r), in, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeCreated(w, r, obj)
}

// writeCreated answers a POST that created obj.
func writeCreated(w http.ResponseWriter, r *http.Request, obj *jsonapi.Object) {
	w.Header().Set("Location", obj.Links.Self)
	WriteDocument(w, r, http.StatusCreated, &jsonapi.Document{Data: obj, Links: &jsonapi.Links{Self: obj.Links.Self}})
}

// provision answers a valid POST to a Provisioner's collection: with a
// job runner, 202 and a job document (or, with Prefer: wait=N, the result
// if it comes in time); without one, 201 once the work is done.
func (h *collectionHandler) provision(w http.ResponseWriter, r *http.Request, in *engine.Input, key any) {
	a, t := h.api, h.t
	e, l := a.engine(), a.linker(r)
	// A body naming related resources that do not exist is refused now,
	// not by a failed job.
	if err := e.CheckLinks(r.Context(), t, in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if a.Jobs == nil {
		obj, err := e.Provision(r.Context(), t, l, in, key, nil)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		writeCreated(w, r, obj)
		return
	}
	scope, err := jobScope(r.Context(), t.Resource())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Add("Vary", "Prefer")
	wait, waitAsked := preferWait(r.Header)
	jb, err := a.Jobs.Submit(r.Context(), t.Schema().Type, scope,
		func(ctx context.Context, complete func(tx *sql.Tx, id string) error) (*jsonapi.Object, error) {
			return e.Provision(ctx, t, l, in, key, func(tx *sql.Tx, obj *jsonapi.Object) error {
				return complete(tx, obj.ID)
			})
		})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if waitAsked {
		wait = a.Jobs.CapWait(wait)
		w.Header().Set("Preference-Applied", "wait="+strconv.Itoa(int(wait/time.Second)))
		timer := time.NewTimer(wait)
		select {
		case <-jb.Done():
			timer.Stop()
			obj, errs := jb.Result()
			if obj != nil {
				writeCreated(w, r, obj)
				return
			}
			a.writeError(w, r, joinErrors(errs))
			return
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return
		}
	}
	rec, err := a.Jobs.Load(r.Context(), jb.ID())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	obj := jobObject(l, rec, nil)
	w.Header().Set("Content-Location", obj.Links.Self)
	w.Header().Set("Retry-After", "1")
	WriteDocument(w, r, http.StatusAccepted, &jsonapi.Document{Data: obj, Links: &jsonapi.Links{Self: obj.Links.Self}})
}

// joinErrors returns errs as one error for writeError.
func joinErrors(errs []*jsonapi.Error) error {
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return errors.Join(out...)
}

// jobScope returns the scope of the request in ctx for jobs of res.
func jobScope(ctx context.Context, res resource.Resource) (string, error) {
	if s, ok := res.(resource.JobScoper); ok {
		return s.JobScope(ctx)
	}
	return "", nil
}

// preferWait returns the wait=N preference of RFC 7240 in h, if any.
// Preferences that cannot be understood are ignored, as the RFC says.
func preferWait(h http.Header) (time.Duration, bool) {
	for _, v := range h.Values("Prefer") {
		for pref := range strings.SplitSeq(v, ",") {
			if i := strings.IndexByte(pref, ';'); i >= 0 {
				pref = pref[:i]
			}
			name, val, ok := strings.Cut(strings.TrimSpace(pref), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(name), "wait") {
				continue
			}
			val = strings.Trim(strings.TrimSpace(val), `"`)
			n, err := strconv.ParseUint(val, 10, 31)
			if err != nil {
				continue
			}
			return time.Duration(n) * time.Second, true
		}
	}
	return 0, false
}
