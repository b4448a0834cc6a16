package engine

import (
	"context"
	"database/sql"

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
func (e *Engine) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	return e.inTx(ctx, func(tx *sql.Tx) error { return fn(&Tx{e: e, tx: tx}) })
}

// Create creates a resource of p as Engine.Create does.
func (t *Tx) Create(ctx context.Context, p *Type, l *Linker, in *Input, id any) (*jsonapi.Object, error) {
	obj, err := t.e.createTx(ctx, t.tx, p, l, in, id)
	return obj, t.e.writeFailure(p.schema, in, err)
}

// Update changes a resource of p as Engine.Update does.
func (t *Tx) Update(ctx context.Context, p *Type, l *Linker, id any, in *Input) (*jsonapi.Object, error) {
	obj, err := t.e.updateTx(ctx, t.tx, p, l, id, in)
	return obj, t.e.writeFailure(p.schema, in, err)
}

// Delete deletes a resource of p as Engine.Delete does, without If-Match.
func (t *Tx) Delete(ctx context.Context, p *Type, l *Linker, id any) error {
	return t.e.writeFailure(p.schema, nil, t.e.removeTx(ctx, t.tx, p, l, id, ""))
}

// ChangeRelationship changes a relationship of the resource of p with
// key parent, which must be visible, as Engine.ChangeRelationship does.
func (t *Tx) ChangeRelationship(ctx context.Context, p *Type, l *Linker, parent any, lk *Linkage, op resource.LinkOp) error {
	err := func() error {
		if _, err := t.e.findOne(ctx, t.tx, p, l, parent); err != nil {
			return err
		}
		return t.e.applyLinkage(ctx, t.tx, p, parent, lk, op, l)
	}()
	return t.e.writeFailure(p.schema, nil, err)
}
