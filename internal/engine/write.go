package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	sq "github.com/Masterminds/squirrel"
	"github.com/gorestless/restless/internal/etag"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// inTx runs fn in one write transaction, committing when it returns nil
// and rolling back otherwise.
func (e *Engine) inTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := e.writeDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer e.prepareAfterTx(ctx)
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// bindValues converts decoded values into SQL arguments.
func (e *Engine) bindValues(s *resource.Schema, v resource.Values) resource.Values {
	d := e.d
	out := make(resource.Values, len(v))
	for name, val := range v {
		attr, ok := s.Attribute(name)
		if !ok {
			// A to-one relationship's key.
			out[name] = val
			continue
		}
		switch x := val.(type) {
		case resource.SQLFunction:
			out[name] = sq.Expr(d.Function(x))
		case json.RawMessage:
			out[name] = string(x)
		default:
			out[name] = d.BindValue(attr.Type, x)
		}
	}
	return out
}

// beforeWrite and afterWrite call the resource's hooks, if any.
func beforeWrite(ctx context.Context, w *resource.Write) error {
	if h, ok := w.Resource.(resource.BeforeWriter); ok {
		return h.BeforeWrite(ctx, w)
	}
	return nil
}

func afterWrite(ctx context.Context, w *resource.Write) error {
	if h, ok := w.Resource.(resource.AfterWriter); ok {
		return h.AfterWrite(ctx, w)
	}
	return nil
}

func exec(ctx context.Context, tx *sql.Tx, ph sq.PlaceholderFormat, b sq.Sqlizer) (sql.Result, error) {
	text, args, err := b.ToSql()
	if err != nil {
		return nil, fmt.Errorf("restless: build statement: %w", err)
	}
	if ph != nil {
		if text, err = ph.ReplacePlaceholders(text); err != nil {
			return nil, err
		}
	}
	return tx.ExecContext(ctx, text, args...)
}

// NewKey returns the key a create of in asks for: nil when the database
// assigns one, the parsed id when the type takes client-generated ids,
// and a 403 or 400 pointing at /data/id otherwise.
func (e *Engine) NewKey(p *Type, in *Input) (any, error) {
	if in.ID == nil {
		return nil, nil
	}
	if !p.schema.ClientIDs {
		return nil, &jsonapi.Error{Status: 403, Title: "Client-Generated ID Not Allowed",
			Detail: fmt.Sprintf("The server assigns the ids of %q resources.", p.schema.Type), Source: jsonapi.Pointer("/data/id")}
	}
	id, ok := e.ParseID(p, *in.ID)
	if !ok {
		return nil, badDocument("/data/id", fmt.Sprintf("The id %q cannot be an id of a %q resource.", *in.ID, p.schema.Type))
	}
	return id, nil
}

// Create creates the resource in describes, with the key id (nil for
// one the database assigns), in one transaction with the resource's
// hooks, and returns it as a GET would show it.
func (e *Engine) Create(ctx context.Context, p *Type, l *Linker, in *Input, id any) (*jsonapi.Object, error) {
	var obj *jsonapi.Object
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		obj, err = e.createTx(ctx, tx, p, l, in, id)
		return err
	})
	return obj, e.writeFailure(p.schema, in, err)
}

// createTx creates the row of a POST inside tx and returns the new
// object, which must be visible to the request.
func (e *Engine) createTx(ctx context.Context, tx *sql.Tx, p *Type, l *Linker, in *Input, id any) (*jsonapi.Object, error) {
	c := p.res.(resource.Creator)
	if err := e.checkLinks(ctx, tx, in); err != nil {
		return nil, err
	}
	w := &resource.Write{Op: resource.OpCreate, Resource: p.res, ID: id, Values: in.values, Tx: tx, Links: in.changes()}
	if err := beforeWrite(ctx, w); err != nil {
		return nil, err
	}
	ins, err := c.Insert(ctx, w.ID, e.bindValues(p.schema, w.Values))
	if err != nil {
		return nil, err
	}
	ret, err := e.returning(ctx, p, resource.OpCreate, in)
	if err != nil {
		return nil, err
	}
	if ret != nil {
		// Nothing runs between the INSERT and the read back.
		return e.returnRow(ctx, tx, p, l, ins.SuffixExpr(ret).PlaceholderFormat(e.d.Placeholder()))
	}
	ins = ins.Suffix("RETURNING " + resource.QuoteIdent(p.schema.ID.Column)).PlaceholderFormat(e.d.Placeholder())
	text, args, err := ins.ToSql()
	if err != nil {
		return nil, fmt.Errorf("restless: build insert: %w", err)
	}
	var key any
	if err := tx.QueryRowContext(ctx, text, args...).Scan(&key); err != nil {
		return nil, err
	}
	if b, ok := key.([]byte); ok {
		key = string(b)
	}
	if key == nil {
		// SQLite lets a key that is not an INTEGER PRIMARY KEY be NULL:
		// the row could never be addressed.
		return nil, &jsonapi.Error{Status: 400, Title: "Missing ID",
			Detail: fmt.Sprintf("A resource of type %q needs an \"id\"; the server does not generate one.", p.schema.Type), Source: jsonapi.Pointer("/data")}
	}
	w.ID = key
	if err := e.applyToMany(ctx, tx, key, in); err != nil {
		return nil, err
	}
	if err := afterWrite(ctx, w); err != nil {
		return nil, err
	}
	obj, err := e.findOne(ctx, tx, p, l, key)
	if errors.Is(err, resource.ErrNotFound) {
		return nil, errOutOfView
	}
	return obj, err
}

// checkLinks checks that the resources a body's relationships name exist
// and are visible.
func (e *Engine) checkLinks(ctx context.Context, tx *sql.Tx, in *Input) error {
	for _, lk := range in.links {
		target, _ := e.Lookup(lk.rel.Type)
		ms := lk.members
		if lk.toOne != nil {
			ms = []member{*lk.toOne}
		}
		if err := e.checkExists(ctx, tx, target, ms); err != nil {
			return err
		}
	}
	return nil
}

// applyToMany replaces the to-many relationships of a body.
func (e *Engine) applyToMany(ctx context.Context, tx *sql.Tx, parent any, in *Input) error {
	for _, lk := range in.links {
		if lk.rel.Kind == resource.ToOne {
			continue
		}
		target, _ := e.Lookup(lk.rel.Type)
		if err := e.changeToMany(ctx, tx, target, parent, lk, resource.LinkReplace); err != nil {
			return err
		}
	}
	return nil
}

// changes returns the to-many changes of a body for the hooks.
func (in *Input) changes() []resource.LinkChange {
	var out []resource.LinkChange
	for _, lk := range in.links {
		if lk.rel.Kind == resource.ToOne {
			continue
		}
		ids := make([]any, len(lk.members))
		for i, m := range lk.members {
			ids[i] = m.id
		}
		out = append(out, resource.LinkChange{Name: lk.rel.Name, Op: resource.LinkReplace, IDs: ids})
	}
	return out
}

// Update changes the resource with key id as in says, in one
// transaction with the resource's hooks, and returns it as a GET would
// show it. The resource must be visible to the request before and after.
func (e *Engine) Update(ctx context.Context, p *Type, l *Linker, id any, in *Input) (*jsonapi.Object, error) {
	var obj *jsonapi.Object
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		obj, err = e.updateTx(ctx, tx, p, l, id, in)
		return err
	})
	return obj, e.writeFailure(p.schema, in, err)
}

// updateTx updates the row with key id inside tx: it must be visible
// before and after.
func (e *Engine) updateTx(ctx context.Context, tx *sql.Tx, p *Type, l *Linker, id any, in *Input) (*jsonapi.Object, error) {
	u, ok := p.res.(resource.Updater)
	if !ok || !p.Allows(resource.OpUpdate) {
		return nil, &jsonapi.Error{Status: 403, Title: "Update Not Allowed",
			Detail: fmt.Sprintf("Resources of type %q cannot be updated.", p.schema.Type)}
	}
	if !e.skipPreRead(ctx, p, in) {
		cur, err := e.lockOne(ctx, tx, p, l, id)
		if err != nil {
			return nil, err
		}
		if in.IfMatch != "" {
			if err := checkIfMatch(in.IfMatch, cur); err != nil {
				return nil, err
			}
		}
	}
	if err := e.checkLinks(ctx, tx, in); err != nil {
		return nil, err
	}
	w := &resource.Write{Op: resource.OpUpdate, Resource: p.res, ID: id, Values: in.values, Tx: tx, Links: in.changes()}
	if err := beforeWrite(ctx, w); err != nil {
		return nil, err
	}
	if len(w.Values) > 0 {
		up, err := u.Update(ctx, id, e.bindValues(p.schema, w.Values))
		if err != nil {
			return nil, err
		}
		ret, err := e.returning(ctx, p, resource.OpUpdate, in)
		if err != nil {
			return nil, err
		}
		if ret != nil {
			// No AfterWrite hook and no relationship changes follow.
			return e.returnRow(ctx, tx, p, l, up.SuffixExpr(ret).PlaceholderFormat(e.d.Placeholder()))
		}
		res, err := exec(ctx, tx, e.d.Placeholder(), up)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return nil, resource.ErrNotFound
		}
	}
	if err := e.applyToMany(ctx, tx, id, in); err != nil {
		return nil, err
	}
	if err := afterWrite(ctx, w); err != nil {
		return nil, err
	}
	obj, err := e.findOne(ctx, tx, p, l, id)
	if errors.Is(err, resource.ErrNotFound) {
		return nil, errOutOfView
	}
	return obj, err
}

// Delete deletes the resource with key id, or deactivates it when the
// type soft-deletes, in one transaction with the resource's hooks. The
// resource must be visible, and match ifMatch (an If-Match header) when
// that is not empty.
func (e *Engine) Delete(ctx context.Context, p *Type, l *Linker, id any, ifMatch string) error {
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		return e.removeTx(ctx, tx, p, l, id, ifMatch)
	})
	return e.writeFailure(p.schema, nil, err)
}

// removeTx deletes the row with key id inside tx, or deactivates it when
// the resource soft-deletes: it must be visible, and match ifMatch when
// that is not empty.
func (e *Engine) removeTx(ctx context.Context, tx *sql.Tx, p *Type, l *Linker, id any, ifMatch string) error {
	cur, err := e.lockOne(ctx, tx, p, l, id)
	if err != nil {
		return err
	}
	if err := checkIfMatch(ifMatch, cur); err != nil {
		return err
	}
	w := &resource.Write{Op: resource.OpDelete, Resource: p.res, ID: id, Tx: tx}
	if err := beforeWrite(ctx, w); err != nil {
		return err
	}
	var stmt sq.Sqlizer
	if p.schema.SoftDelete != nil {
		stmt, err = e.deactivate(ctx, p, id)
	} else {
		stmt, err = p.res.(resource.Deleter).Delete(ctx, id)
	}
	if err != nil {
		return err
	}
	res, err := exec(ctx, tx, e.d.Placeholder(), stmt)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return resource.ErrNotFound
	}
	return afterWrite(ctx, w)
}

// checkIfMatch compares an If-Match value with the entity tag a GET of
// obj (without query parameters) would carry.
func checkIfMatch(im string, obj *jsonapi.Object) error {
	if im == "" {
		return nil
	}
	body, err := (&jsonapi.Document{Data: obj, Links: &jsonapi.Links{Self: obj.Links.Self}}).AppendJSON(nil)
	if err != nil {
		return err
	}
	if !etag.Matches(im, etag.Of(append(body, '\n')), false) {
		return errPreconditionFailed
	}
	return nil
}
