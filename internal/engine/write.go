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

// bindValues converts decoded values into SQL arguments.
func (tx *Tx) bindValues(s *resource.Schema, v resource.Values) resource.Values {
	d := tx.e.d
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

// createTx creates the row of a POST inside tx and returns the new
// object, which must be visible to the request.
func (tx *Tx) create(ctx context.Context, p *Type, l *Linker, in *Input, id any) (*jsonapi.Object, error) {
	c := p.res.(resource.Creator)
	if err := tx.checkLinks(ctx, in); err != nil {
		return nil, err
	}
	w := &resource.Write{Op: resource.OpCreate, Resource: p.res, ID: id, Values: in.values, Tx: tx.tx, Links: in.changes()}
	if err := beforeWrite(ctx, w); err != nil {
		return nil, err
	}
	ins, err := c.Insert(ctx, w.ID, tx.bindValues(p.schema, w.Values))
	if err != nil {
		return nil, err
	}
	ret, err := tx.returning(ctx, p, resource.OpCreate, in)
	if err != nil {
		return nil, err
	}
	if ret != nil {
		// Nothing runs between the INSERT and the read back.
		return tx.returnRow(ctx, p, l, ins.SuffixExpr(ret).PlaceholderFormat(tx.e.d.Placeholder()))
	}
	ins = ins.Suffix("RETURNING " + resource.QuoteIdent(p.schema.ID.Column)).PlaceholderFormat(tx.e.d.Placeholder())
	text, args, err := ins.ToSql()
	if err != nil {
		return nil, fmt.Errorf("restless: build insert: %w", err)
	}
	var key any
	if err := tx.tx.QueryRowContext(ctx, text, args...).Scan(&key); err != nil {
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
	if err := tx.applyToMany(ctx, key, in); err != nil {
		return nil, err
	}
	if err := afterWrite(ctx, w); err != nil {
		return nil, err
	}
	obj, err := tx.e.findOne(ctx, tx.tx, p, l, key)
	if errors.Is(err, resource.ErrNotFound) {
		return nil, errOutOfView
	}
	return obj, err
}

// checkLinks checks that the resources a body's relationships name exist
// and are visible.
func (tx *Tx) checkLinks(ctx context.Context, in *Input) error {
	for _, lk := range in.links {
		target, _ := tx.e.Lookup(lk.rel.Type)
		ms := lk.members
		if lk.toOne != nil {
			ms = []member{*lk.toOne}
		}
		if err := tx.checkExists(ctx, target, ms); err != nil {
			return err
		}
	}
	return nil
}

// applyToMany replaces the to-many relationships of a body.
func (tx *Tx) applyToMany(ctx context.Context, parent any, in *Input) error {
	for _, lk := range in.links {
		if lk.rel.Kind == resource.ToOne {
			continue
		}
		target, _ := tx.e.Lookup(lk.rel.Type)
		if err := tx.changeToMany(ctx, target, parent, lk, resource.LinkReplace); err != nil {
			return err
		}
	}
	return nil
}

// updateTx updates the row with key id inside tx: it must be visible
// before and after.
func (tx *Tx) update(ctx context.Context, p *Type, l *Linker, id any, in *Input) (*jsonapi.Object, error) {
	u, ok := p.res.(resource.Updater)
	if !ok || !p.Allows(resource.OpUpdate) {
		return nil, &jsonapi.Error{Status: 403, Title: "Update Not Allowed",
			Detail: fmt.Sprintf("Resources of type %q cannot be updated.", p.schema.Type)}
	}
	if !p.skipPreRead(ctx, in) {
		cur, err := tx.e.lockOne(ctx, tx.tx, p, l, id)
		if err != nil {
			return nil, err
		}
		if in.IfMatch != "" {
			if err := checkIfMatch(in.IfMatch, cur); err != nil {
				return nil, err
			}
		}
	}
	if err := tx.checkLinks(ctx, in); err != nil {
		return nil, err
	}
	w := &resource.Write{Op: resource.OpUpdate, Resource: p.res, ID: id, Values: in.values, Tx: tx.tx, Links: in.changes()}
	if err := beforeWrite(ctx, w); err != nil {
		return nil, err
	}
	if len(w.Values) > 0 {
		up, err := u.Update(ctx, id, tx.bindValues(p.schema, w.Values))
		if err != nil {
			return nil, err
		}
		ret, err := tx.returning(ctx, p, resource.OpUpdate, in)
		if err != nil {
			return nil, err
		}
		if ret != nil {
			// No AfterWrite hook and no relationship changes follow.
			return tx.returnRow(ctx, p, l, up.SuffixExpr(ret).PlaceholderFormat(tx.e.d.Placeholder()))
		}
		res, err := exec(ctx, tx.tx, tx.e.d.Placeholder(), up)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return nil, resource.ErrNotFound
		}
	}
	if err := tx.applyToMany(ctx, id, in); err != nil {
		return nil, err
	}
	if err := afterWrite(ctx, w); err != nil {
		return nil, err
	}
	obj, err := tx.e.findOne(ctx, tx.tx, p, l, id)
	if errors.Is(err, resource.ErrNotFound) {
		return nil, errOutOfView
	}
	return obj, err
}

// removeTx deletes the row with key id inside tx, or deactivates it when
// the resource soft-deletes: it must be visible, and match ifMatch when
// that is not empty.
func (tx *Tx) remove(ctx context.Context, p *Type, l *Linker, id any, ifMatch string) error {
	cur, err := tx.e.lockOne(ctx, tx.tx, p, l, id)
	if err != nil {
		return err
	}
	if err := checkIfMatch(ifMatch, cur); err != nil {
		return err
	}
	w := &resource.Write{Op: resource.OpDelete, Resource: p.res, ID: id, Tx: tx.tx}
	if err := beforeWrite(ctx, w); err != nil {
		return err
	}
	var stmt sq.Sqlizer
	if p.schema.SoftDelete != nil {
		stmt, err = p.deactivate(ctx, tx.e.d, id)
	} else {
		stmt, err = p.res.(resource.Deleter).Delete(ctx, id)
	}
	if err != nil {
		return err
	}
	res, err := exec(ctx, tx.tx, tx.e.d.Placeholder(), stmt)
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
