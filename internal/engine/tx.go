package engine

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// A Tx is one write transaction that several writes share, such as the
// operations of one atomic request: each runs with the checks and hooks
// it has on its own endpoint, and either all are kept or none. Its
// methods answer errors as the engine's others do.
type Tx struct {
	e  *Engine
	tx *sql.Tx
}

// InTx runs fn in one write transaction, committing when it returns nil
// and rolling back otherwise.
func (e *Engine) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	stx, err := e.writeDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer e.writes.prepareNoted(ctx)
	defer func() {
		if err != nil {
			stx.Rollback()
		}
	}()
	if err = fn(&Tx{e: e, tx: stx}); err != nil {
		return err
	}
	return stx.Commit()
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
	err := e.InTx(ctx, func(tx *Tx) error {
		var err error
		obj, err = tx.create(ctx, p, l, in, id)
		return err
	})
	return obj, writeFailure(e.d, p.schema, in, err)
}

// Update changes the resource with key id as in says, in one
// transaction with the resource's hooks, and returns it as a GET would
// show it. The resource must be visible to the request before and after.
func (e *Engine) Update(ctx context.Context, p *Type, l *Linker, id any, in *Input) (*jsonapi.Object, error) {
	var obj *jsonapi.Object
	err := e.InTx(ctx, func(tx *Tx) error {
		var err error
		obj, err = tx.update(ctx, p, l, id, in)
		return err
	})
	return obj, writeFailure(e.d, p.schema, in, err)
}

// Delete deletes the resource with key id, or deactivates it when the
// type soft-deletes, in one transaction with the resource's hooks. The
// resource must be visible, and match ifMatch (an If-Match header) when
// that is not empty.
func (e *Engine) Delete(ctx context.Context, p *Type, l *Linker, id any, ifMatch string) error {
	err := e.InTx(ctx, func(tx *Tx) error {
		return tx.remove(ctx, p, l, id, ifMatch)
	})
	return writeFailure(e.d, p.schema, nil, err)
}

// ChangeRelationship changes the relationship lk of the resource of p
// with key parent as op says, in one transaction with the resource's
// hooks.
func (e *Engine) ChangeRelationship(ctx context.Context, p *Type, l *Linker, parent any, lk *Linkage, op resource.LinkOp) error {
	return e.InTx(ctx, func(tx *Tx) error {
		return tx.ChangeRelationship(ctx, p, l, parent, lk, op)
	})
}

// Bulk updates (with in) or deletes (in is nil) every resource of p that
// sel selects, in one transaction, and returns how many it changed. Each
// is written as a PATCH or DELETE of that one resource would be (row
// filter, hooks); a selection of more than sel.Max is a 400
// before anything is written, and the failure of one row names its id in
// the error's meta.
func (e *Engine) Bulk(ctx context.Context, p *Type, l *Linker, op resource.Op, sel BulkSelection, in *Input) (int, error) {
	limit := sel.Max
	if limit <= 0 {
		limit = DefaultMaxBulk
	}
	n := 0
	err := e.InTx(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.bulk(ctx, p, l, op, sel, in, limit)
		return err
	})
	return n, bulkFailure(e.d, p.schema, in, err)
}

// Provision creates a Provisioner's resource: Provision, then the row in
// one transaction, in which then (if not nil) runs last, before the
// commit. When the row fails after Provision succeeded, an Unprovisioner
// undoes Provision. A panic of the resource's code is an error: a job
// runs outside any handler and its middleware.
func (e *Engine) Provision(ctx context.Context, p *Type, l *Linker, in *Input, key any,
	then func(tx *sql.Tx, obj *jsonapi.Object) error) (*jsonapi.Object, error) {
	obj, err := e.provision(ctx, p, l, in, key, then)
	return obj, writeFailure(e.d, p.schema, in, err)
}

func (e *Engine) provision(ctx context.Context, p *Type, l *Linker, in *Input, key any,
	then func(tx *sql.Tx, obj *jsonapi.Object) error) (*jsonapi.Object, error) {
	pr := p.res.(resource.Provisioner)
	if err := safely(func() error { return pr.Provision(ctx, key, in.values) }); err != nil {
		return nil, err
	}
	var obj *jsonapi.Object
	err := e.InTx(ctx, func(tx *Tx) error {
		return safely(func() error {
			var err error
			if obj, err = tx.create(ctx, p, l, in, key); err != nil {
				return err
			}
			if then != nil {
				return then(tx.tx, obj)
			}
			return nil
		})
	})
	if err != nil {
		if u, ok := p.res.(resource.Unprovisioner); ok {
			uerr := safely(func() error { return u.Unprovision(context.WithoutCancel(ctx), key, in.values) })
			if uerr != nil {
				e.log.ErrorContext(ctx, "restless: unprovision", "type", p.schema.Type, "err", uerr)
			}
		}
		return nil, err
	}
	return obj, nil
}

// safely runs fn, the resource's code in a job, turning a panic into an
// error: a job runs outside any handler and its middleware.
func safely(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("restless: panic: %v", v)
		}
	}()
	return fn()
}

// CheckLinks checks, outside any write, that the resources the
// relationships of in, a document for p, name exist and are visible: a
// job need not start to fail on them.
func (e *Engine) CheckLinks(ctx context.Context, p *Type, in *Input) error {
	if len(in.links) == 0 {
		return nil
	}
	err := func() error {
		tx, err := e.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		return (&Tx{e: e, tx: tx}).checkLinks(ctx, in)
	}()
	return writeFailure(e.d, p.schema, in, err)
}

// Create creates a resource of p as Engine.Create does.
func (tx *Tx) Create(ctx context.Context, p *Type, l *Linker, in *Input, id any) (*jsonapi.Object, error) {
	obj, err := tx.create(ctx, p, l, in, id)
	return obj, writeFailure(tx.e.d, p.schema, in, err)
}

// Update changes a resource of p as Engine.Update does.
func (tx *Tx) Update(ctx context.Context, p *Type, l *Linker, id any, in *Input) (*jsonapi.Object, error) {
	obj, err := tx.update(ctx, p, l, id, in)
	return obj, writeFailure(tx.e.d, p.schema, in, err)
}

// Delete deletes a resource of p as Engine.Delete does, without If-Match.
func (tx *Tx) Delete(ctx context.Context, p *Type, l *Linker, id any) error {
	return writeFailure(tx.e.d, p.schema, nil, tx.remove(ctx, p, l, id, ""))
}

// ChangeRelationship changes a relationship of the resource of p with
// key parent, which must be visible, as Engine.ChangeRelationship does.
func (tx *Tx) ChangeRelationship(ctx context.Context, p *Type, l *Linker, parent any, lk *Linkage, op resource.LinkOp) error {
	err := func() error {
		if _, err := tx.e.findOne(ctx, tx.tx, p, l, parent); err != nil {
			return err
		}
		return tx.applyLinkage(ctx, p, parent, lk, op, l)
	}()
	return writeFailure(tx.e.d, p.schema, nil, err)
}
