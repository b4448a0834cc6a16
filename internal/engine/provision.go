package engine

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// Provision creates a Provisioner's resource: Provision, then the row in
// one transaction, in which then (if not nil) runs last, before the
// commit. When the row fails after Provision succeeded, an Unprovisioner
// undoes Provision. A panic of the resource's code is an error: a job
// runs outside any handler and its middleware.
func (e *Engine) Provision(ctx context.Context, p *Type, l *Linker, in *Input, key any,
	then func(tx *sql.Tx, obj *jsonapi.Object) error) (*jsonapi.Object, error) {
	obj, err := e.provision(ctx, p, l, in, key, then)
	return obj, e.writeFailure(p.schema, in, err)
}

func (e *Engine) provision(ctx context.Context, p *Type, l *Linker, in *Input, key any,
	then func(tx *sql.Tx, obj *jsonapi.Object) error) (*jsonapi.Object, error) {
	pr := p.res.(resource.Provisioner)
	if err := safely(func() error { return pr.Provision(ctx, key, in.values) }); err != nil {
		return nil, err
	}
	var obj *jsonapi.Object
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		return safely(func() error {
			var err error
			if obj, err = e.createTx(ctx, tx, p, l, in, key); err != nil {
				return err
			}
			if then != nil {
				return then(tx, obj)
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
		return e.checkLinks(ctx, tx, in)
	}()
	return e.writeFailure(p.schema, in, err)
}
