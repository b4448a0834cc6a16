package engine

import (
	"context"
	"database/sql"
	"encoding/json"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/query"
	"github.com/gorestless/restless/resource"
)

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
	return page, e.readFailure(target.schema, err)
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
		return nil, e.readFailure(target.schema, err)
	}
	for _, o := range page.Objects {
		o.Links = nil
	}
	return page, nil
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
	return obj, e.readFailure(target.schema, err)
}

// ChangeRelationship changes the relationship lk of the resource of p
// with key parent as op says, in one transaction with the resource's
// hooks.
func (e *Engine) ChangeRelationship(ctx context.Context, p *Type, l *Linker, parent any, lk *Linkage, op resource.LinkOp) error {
	return e.InTx(ctx, func(tx *Tx) error {
		return tx.ChangeRelationship(ctx, p, l, parent, lk, op)
	})
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

// applyLinkage changes parent's relationship l inside tx, calling the
// write hooks around it, and checks the row stays visible.
func (e *Engine) applyLinkage(ctx context.Context, tx *sql.Tx, p *Type, parent any, l *Linkage, op resource.LinkOp, lk *Linker) error {
	target, _ := e.Lookup(l.rel.Type)
	ms := l.members
	if l.toOne != nil {
		ms = []member{*l.toOne}
	}
	if err := e.checkExists(ctx, tx, target, ms); err != nil {
		return err
	}
	if l.rel.Kind == resource.ToOne {
		var v any
		if l.toOne != nil {
			v = l.toOne.id
		}
		_, err := e.updateTx(ctx, tx, p, lk, parent, &Input{values: resource.Values{l.rel.Name: v}})
		return err
	}
	ids := make([]any, len(ms))
	for i, m := range ms {
		ids[i] = m.id
	}
	w := &resource.Write{Op: resource.OpUpdate, Resource: p.res, ID: parent, Values: resource.Values{}, Tx: tx,
		Links: []resource.LinkChange{{Name: l.rel.Name, Op: op, IDs: ids}}}
	if err := beforeWrite(ctx, w); err != nil {
		return err
	}
	if err := e.changeToMany(ctx, tx, target, parent, l, op); err != nil {
		return err
	}
	return afterWrite(ctx, w)
}
