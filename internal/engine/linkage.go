package engine

import (
	"context"
	"encoding/json"
	"fmt"

	sq "github.com/Masterminds/squirrel"
	"github.com/gorestless/restless/dialect"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// checkExists fails with a 404 pointing at the first member the target's
// row filter does not show.
func (tx *Tx) checkExists(ctx context.Context, target *Type, ms []member) error {
	if len(ms) == 0 {
		return nil
	}
	found := map[string]bool{}
	ids := make([]any, len(ms))
	for i, m := range ms {
		ids[i] = m.id
	}
	for start := 0; start < len(ids); start += maxIn {
		chunk := ids[start:min(start+maxIn, len(ids))]
		b, err := target.rows(ctx)
		if err != nil {
			return err
		}
		got, err := tx.keys(ctx, b.Columns(target.idExpr).Where(sq.Eq{target.idExpr: chunk}))
		if err != nil {
			return err
		}
		for _, k := range got {
			found[formatID(k)] = true
		}
	}
	for _, m := range ms {
		if !found[formatID(m.id)] {
			return notFoundAt(m.ptr+"/id", target.schema.Type, formatID(m.id))
		}
	}
	return nil
}

// keys runs a one-column query in tx.
func (tx *Tx) keys(ctx context.Context, b sq.SelectBuilder) ([]any, error) {
	text, args, err := b.PlaceholderFormat(tx.e.d.Placeholder()).ToSql()
	if err != nil {
		return nil, err
	}
	rows, err := tx.tx.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []any
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		if b, ok := v.([]byte); ok {
			v = string(b)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// current returns the keys of the visible members of parent's to-many
// relationship rel.
func (tx *Tx) current(ctx context.Context, target *Type, rel *resource.Relationship, parent any) ([]any, error) {
	b, err := target.rows(ctx)
	if err != nil {
		return nil, err
	}
	b = b.Columns(target.idExpr)
	if rel.Kind == resource.ToMany {
		b = b.Where(sq.Eq{qualify(target.schema.Table, rel.ForeignKey): parent})
	} else {
		b = b.Join(resource.QuoteIdent(rel.JoinTable) + " ON " + qualify(rel.JoinTable, rel.JoinTargetKey) + " = " + target.idExpr).
			Where(sq.Eq{qualify(rel.JoinTable, rel.JoinKey): parent})
	}
	return tx.keys(ctx, b)
}

// errNotNullLink answers the removal of members whose foreign key cannot
// be NULL.
func errNotNullLink(rel *resource.Relationship, ptr string) *jsonapi.Error {
	return &jsonapi.Error{Status: 409, Title: "Conflict",
		Detail: fmt.Sprintf("Members cannot leave %q: each must belong to a resource.", rel.Name), Source: jsonapi.Pointer(ptr)}
}

// changeToMany applies op to parent's to-many relationship l.rel inside
// tx. The members were checked to exist.
func (tx *Tx) changeToMany(ctx context.Context, target *Type, parent any, l *Linkage, op resource.LinkOp) error {
	rel := l.rel
	d := tx.e.d
	cur, err := tx.current(ctx, target, rel, parent)
	if err != nil {
		return err
	}
	isCur := map[string]bool{}
	for _, k := range cur {
		isCur[formatID(k)] = true
	}
	named := map[string]bool{}
	var add []member
	for _, m := range l.members {
		named[formatID(m.id)] = true
		if !isCur[formatID(m.id)] || (op == resource.LinkReplace && m.meta != nil) {
			add = append(add, m)
		}
	}
	var remove []any
	switch op {
	case resource.LinkReplace:
		for _, k := range cur {
			if !named[formatID(k)] {
				remove = append(remove, k)
			}
		}
	case resource.LinkRemove:
		for _, m := range l.members {
			if isCur[formatID(m.id)] {
				remove = append(remove, m.id)
			}
		}
		add = nil
	}
	run := func(b sq.Sqlizer) error {
		_, err := exec(ctx, tx.tx, d.Placeholder(), b)
		return err
	}
	if rel.Kind == resource.ToMany {
		table, fk := resource.QuoteIdent(target.schema.Table), resource.QuoteIdent(rel.ForeignKey)
		if len(remove) > 0 {
			err := run(sq.Update(table).Set(fk, nil).Where(sq.Eq{target.idExpr: remove}))
			if err != nil {
				if d.Classify(err).Kind == dialect.NotNull {
					return errNotNullLink(rel, l.ptr)
				}
				return err
			}
		}
		if len(add) > 0 {
			ids := make([]any, len(add))
			for i, m := range add {
				ids[i] = m.id
			}
			return run(sq.Update(table).Set(fk, parent).Where(sq.Eq{target.idExpr: ids}))
		}
		return nil
	}
	join := resource.QuoteIdent(rel.JoinTable)
	key, tkey := resource.QuoteIdent(rel.JoinKey), resource.QuoteIdent(rel.JoinTargetKey)
	// Members named again in a replacement are rewritten with their meta.
	for _, m := range add {
		if isCur[formatID(m.id)] {
			remove = append(remove, m.id)
		}
	}
	if len(remove) > 0 {
		if err := run(sq.Delete(join).Where(sq.Eq{key: parent, tkey: remove})); err != nil {
			return err
		}
	}
	for _, m := range add {
		cols := map[string]any{key: parent, tkey: m.id}
		for _, ja := range rel.JoinAttributes {
			if v, ok := m.meta[ja.Name]; ok {
				col := ja.Column
				if col == "" {
					col = ja.Name
				}
				cols[resource.QuoteIdent(col)] = tx.bindValue(ja.Type, v)
			}
		}
		if err := run(sq.Insert(join).SetMap(cols)); err != nil {
			return err
		}
	}
	return nil
}

// bindValue converts one decoded value for SQL.
func (tx *Tx) bindValue(t resource.ValueType, v any) any {
	switch x := v.(type) {
	case resource.SQLFunction:
		return sq.Expr(tx.e.d.Function(x))
	case json.RawMessage:
		return string(x)
	}
	return tx.e.d.BindValue(t, v)
}

// applyLinkage changes parent's relationship l inside tx, calling the
// write hooks around it, and checks the row stays visible.
func (tx *Tx) applyLinkage(ctx context.Context, p *Type, parent any, l *Linkage, op resource.LinkOp, lk *Linker) error {
	target, _ := tx.e.Lookup(l.rel.Type)
	ms := l.members
	if l.toOne != nil {
		ms = []member{*l.toOne}
	}
	if err := tx.checkExists(ctx, target, ms); err != nil {
		return err
	}
	if l.rel.Kind == resource.ToOne {
		var v any
		if l.toOne != nil {
			v = l.toOne.id
		}
		_, err := tx.update(ctx, p, lk, parent, &Input{values: resource.Values{l.rel.Name: v}})
		return err
	}
	ids := make([]any, len(ms))
	for i, m := range ms {
		ids[i] = m.id
	}
	w := &resource.Write{Op: resource.OpUpdate, Resource: p.res, ID: parent, Values: resource.Values{}, Tx: tx.tx,
		Links: []resource.LinkChange{{Name: l.rel.Name, Op: op, IDs: ids}}}
	if err := beforeWrite(ctx, w); err != nil {
		return err
	}
	if err := tx.changeToMany(ctx, target, parent, l, op); err != nil {
		return err
	}
	return afterWrite(ctx, w)
}
