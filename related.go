package restless

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"

	sq "github.com/Masterminds/squirrel"
)

// relHandler serves the related and relationship endpoints of one type:
// /{path}/{id}/{rel} and /{path}/{id}/relationships/{rel}.
type relHandler struct {
	api  *API
	plan *plan
	// linkage says the handler serves /relationships/{rel}.
	linkage bool
}

// Related returns the handler of the related-resource endpoints of res,
// such as GET /api/person/1/computers (a collection that takes filters,
// sorting, pagination, fields and include) and GET /api/computer/1/owner
// (the object or null). It reads r.PathValue("id") and r.PathValue("rel").
//
//	mux.Handle("/api/person/{id}/{rel}", api.Related(person))
func (a *API) Related(res Resource) http.Handler {
	return &relHandler{api: a, plan: a.register(newPlan(res))}
}

// Relationship returns the handler of the relationship endpoints of res,
// such as /api/person/1/relationships/computers: GET answers the linkage;
// PATCH replaces it; POST adds to and DELETE removes from a to-many. It
// reads r.PathValue("id") and r.PathValue("rel").
//
//	mux.Handle("/api/person/{id}/relationships/{rel}", api.Relationship(person))
func (a *API) Relationship(res Resource) http.Handler {
	return &relHandler{api: a, plan: a.register(newPlan(res)), linkage: true}
}

func (h *relHandler) allow(rel *Relationship) string {
	if !h.linkage || rel.ReadOnly || !allows(h.plan.res, OpUpdate) {
		return "GET, HEAD, OPTIONS"
	}
	if rel.Kind == ToOne {
		return "GET, HEAD, PATCH, OPTIONS"
	}
	return "GET, HEAD, PATCH, POST, DELETE, OPTIONS"
}

func (h *relHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rel, ok := h.plan.schema.Relationship(r.PathValue("rel"))
	if !ok {
		WriteError(w, r, &Error{Status: http.StatusNotFound, Title: "Not Found",
			Detail: fmt.Sprintf("The type %q has no relationship %q.", h.plan.schema.Type, r.PathValue("rel"))})
		return
	}
	target, ok := h.api.lookupType(rel.Type)
	if !ok {
		WriteError(w, r, &Error{Status: http.StatusNotFound, Title: "Not Found",
			Detail: fmt.Sprintf("The relationship %q leads to a type this API does not serve.", rel.Name)})
		return
	}
	allow := h.allow(rel)
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if h.linkage {
			h.getLinkage(w, r, rel, target)
		} else {
			h.getRelated(w, r, rel, target)
		}
	case http.MethodOptions:
		options(w, allow)
	case http.MethodPatch, http.MethodPost, http.MethodDelete:
		if !h.linkage || (rel.Kind == ToOne && r.Method != http.MethodPatch) {
			methodNotAllowed(w, r, allow)
			return
		}
		h.change(w, r, rel, target)
	default:
		methodNotAllowed(w, r, allow)
	}
}

// parent returns the parent object named by the URL, as the request may
// see it.
func (h *relHandler) parent(r *http.Request, q queryer) (*Object, any, error) {
	id, ok := h.api.parseID(h.plan.schema.ID, r.PathValue("id"))
	if !ok {
		return nil, nil, ErrNotFound
	}
	obj, err := h.api.findOne(r.Context(), q, h.plan, h.api.linker(r), id)
	return obj, id, err
}

// relatedCondition selects the related resources of parent.
func relatedCondition(p, target *plan, rel *Relationship, parent any) sq.Sqlizer {
	switch rel.Kind {
	case ToMany:
		return sq.Eq{qualify(target.schema.Table, rel.ForeignKey): parent}
	case ManyToMany:
		sub := sq.Select(qualify(rel.JoinTable, rel.JoinTargetKey)).From(QuoteIdent(rel.JoinTable)).
			Where(sq.Eq{qualify(rel.JoinTable, rel.JoinKey): parent})
		return sq.Expr(target.idExpr+" IN (?)", sub)
	}
	return sq.Expr("(1=0)")
}

func (h *relHandler) getRelated(w http.ResponseWriter, r *http.Request, rel *Relationship, target *plan) {
	collection := rel.Kind != ToOne
	params, err := h.api.parseQuery(r, target, h.api.queryConfig(r, target, collection))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	parent, parentID, err := h.parent(r, readDB{h.api})
	if err != nil {
		WriteError(w, r, h.api.readError(r, h.plan.schema, err))
		return
	}
	l := h.api.linker(r)
	self := parent.Links.Self + "/" + rel.Name
	if collection {
		cond := relatedCondition(h.plan, target, rel, parentID)
		if params.Filter != nil {
			params.Filter = sq.And{cond, params.Filter}
		} else {
			params.Filter = cond
		}
		doc, err := h.api.list(r, target, params, self)
		if err != nil {
			WriteError(w, r, h.api.readError(r, target.schema, err))
			return
		}
		WriteDocument(w, r, http.StatusOK, doc)
		return
	}
	doc := &Document{Links: &Links{Self: withQuery(self, r.URL.Query())}}
	var ident struct{ ID string }
	if ro := relationshipOf(parent, rel.Name); ro != nil && json.Unmarshal(ro.Data, &ident) == nil && ident.ID != "" {
		id, _ := target.schema.ID.parse(ident.ID)
		obj, err := h.api.findOne(r.Context(), readDB{h.api}, target.only(params.Fields[target.schema.Type]), l, id)
		if err != nil && err != ErrNotFound {
			WriteError(w, r, h.api.readError(r, target.schema, err))
			return
		}
		if obj != nil {
			doc.Data = obj
			if err := h.api.complete(r, l, target, []*Object{obj}, params, doc); err != nil {
				WriteError(w, r, h.api.readError(r, target.schema, err))
				return
			}
		}
	}
	if doc.Data == nil && len(params.Include) > 0 {
		doc.Included = []*Object{}
	}
	WriteDocument(w, r, http.StatusOK, doc)
}

func (h *relHandler) getLinkage(w http.ResponseWriter, r *http.Request, rel *Relationship, target *plan) {
	collection := rel.Kind != ToOne
	c := h.api.queryConfig(r, target, collection)
	c.Include = false
	params, err := h.api.parseQuery(r, target, c)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	parent, parentID, err := h.parent(r, readDB{h.api})
	if err != nil {
		WriteError(w, r, h.api.readError(r, h.plan.schema, err))
		return
	}
	base := parent.Links.Self
	links := &Links{Self: base + "/relationships/" + rel.Name, Related: base + "/" + rel.Name}
	if !collection {
		ro := relationshipOf(parent, rel.Name)
		data := json.RawMessage("null")
		if ro != nil && ro.Data != nil {
			data = ro.Data
		}
		WriteDocument(w, r, http.StatusOK, &Document{Data: data, Links: links})
		return
	}
	cond := relatedCondition(h.plan, target, rel, parentID)
	if params.Filter != nil {
		params.Filter = sq.And{cond, params.Filter}
	} else {
		params.Filter = cond
	}
	// The linkage is the related collection reduced to identifiers, with
	// the join table's attributes as meta.
	ids := target.only([]string{})
	doc, err := h.api.list(r, ids, params, links.Self)
	if err != nil {
		WriteError(w, r, h.api.readError(r, target.schema, err))
		return
	}
	if objs, ok := doc.Data.([]*Object); ok {
		if err := h.api.linkageMeta(r, rel, parentID, objs); err != nil {
			WriteError(w, r, h.api.readError(r, target.schema, err))
			return
		}
		for _, o := range objs {
			o.Links = nil
		}
	}
	doc.Links.Related = links.Related
	WriteDocument(w, r, http.StatusOK, doc)
}

// linkageMeta sets the join-table attributes of parent's members objs as
// their meta.
func (a *API) linkageMeta(r *http.Request, rel *Relationship, parent any, objs []*Object) error {
	if rel.Kind != ManyToMany || len(rel.JoinAttributes) == 0 || len(objs) == 0 {
		return nil
	}
	cols := []string{qualify(rel.JoinTable, rel.JoinTargetKey)}
	for i := range rel.JoinAttributes {
		cols = append(cols, joinExpr(rel, &rel.JoinAttributes[i]))
	}
	text, args, err := sq.Select(cols...).From(QuoteIdent(rel.JoinTable)).
		Where(sq.Eq{qualify(rel.JoinTable, rel.JoinKey): parent}).
		PlaceholderFormat(a.dialect().Placeholder()).ToSql()
	if err != nil {
		return err
	}
	rows, err := a.query(r.Context(), text, args...)
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

// change runs PATCH, POST or DELETE on a relationship endpoint.
func (h *relHandler) change(w http.ResponseWriter, r *http.Request, rel *Relationship, target *plan) {
	p := h.plan
	if _, err := h.api.parseQuery(r, p, h.api.writeConfig(r, p)); err != nil {
		WriteError(w, r, err)
		return
	}
	if rel.ReadOnly || !allows(p.res, OpUpdate) {
		WriteError(w, r, &Error{Status: http.StatusForbidden, Title: "Relationship Not Writable",
			Detail: fmt.Sprintf("The relationship %q cannot be changed.", rel.Name)})
		return
	}
	op := map[string]LinkOp{http.MethodPatch: LinkReplace, http.MethodPost: LinkAdd, http.MethodDelete: LinkRemove}[r.Method]
	if rel.Kind != ToOne && ((op == LinkReplace && rel.NoReplace) || (op == LinkRemove && rel.NoRemove)) {
		WriteError(w, r, &Error{Status: http.StatusForbidden, Title: "Forbidden",
			Detail: fmt.Sprintf("The relationship %q does not allow this change.", rel.Name)})
		return
	}
	body, err := h.api.readBody(w, r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	var doc map[string]json.RawMessage
	if err := decodeStrict(body, &doc); err != nil {
		WriteError(w, r, badDocument("", "The request body is not a JSON object: "+err.Error()+"."))
		return
	}
	if _, ok := doc["data"]; !ok {
		WriteError(w, r, badDocument("", `The request document has no "data" member.`))
		return
	}
	l, err := decodeLinkage(h.api, rel, body, "")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	ctx := r.Context()
	err = h.api.inTx(ctx, func(tx *sql.Tx) error {
		_, parent, err := h.parent(r, tx)
		if err != nil {
			return err
		}
		return h.api.applyLinkage(ctx, tx, p, parent, l, op, h.api.linker(r))
	})
	if err != nil {
		WriteError(w, r, h.api.writeError(r, p.schema, nil, err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// applyLinkage changes parent's relationship l inside tx, calling the
// write hooks around it, and checks the row stays visible.
func (a *API) applyLinkage(ctx context.Context, tx *sql.Tx, p *plan, parent any, l *linkage, op LinkOp, lk *linker) error {
	target, _ := a.lookupType(l.rel.Type)
	ms := l.members
	if l.toOne != nil {
		ms = []member{*l.toOne}
	}
	if err := a.checkExists(ctx, tx, target, ms); err != nil {
		return err
	}
	if l.rel.Kind == ToOne {
		var v any
		if l.toOne != nil {
			v = l.toOne.id
		}
		_, err := a.updateTx(ctx, tx, p, lk, parent, &input{values: Values{l.rel.Name: v}})
		return err
	}
	ids := make([]any, len(ms))
	for i, m := range ms {
		ids[i] = m.id
	}
	w := &Write{Op: OpUpdate, Resource: p.res, ID: parent, Values: Values{}, Tx: tx,
		Links: []LinkChange{{Name: l.rel.Name, Op: op, IDs: ids}}}
	if err := beforeWrite(ctx, w); err != nil {
		return err
	}
	if err := a.changeToMany(ctx, tx, target, parent, l, op); err != nil {
		return err
	}
	return afterWrite(ctx, w)
}
