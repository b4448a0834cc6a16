package engine

import (
	"context"
	"encoding/json"
	"errors"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/query"
	"github.com/gorestless/restless/resource"
)

// resolver answers query's questions about one type's names.
type resolver struct {
	e *Engine
	p *Type
}

// Resolver returns what package query asks of p's names: which members,
// fields and relationships requests may name, and the SQL behind them.
func (e *Engine) Resolver(p *Type) query.Resolver { return resolver{e: e, p: p} }

// ResolverOf returns the Resolver of the registered type typ, for the
// relationships a filter or sort follows.
func (e *Engine) ResolverOf(typ string) (query.Resolver, bool) {
	p, ok := e.Lookup(typ)
	if !ok {
		return nil, false
	}
	return e.Resolver(p), true
}

func (r resolver) Type() string { return r.p.schema.Type }

func (r resolver) Member(name string) bool {
	if a, ok := r.p.schema.Attribute(name); ok {
		return a.Readable()
	}
	_, ok := r.p.schema.Relationship(name)
	return ok
}

func (r resolver) Field(name string) (query.Field, bool) {
	if name == "id" {
		return r.field("id", r.p.idExpr, idType(r.p.schema.ID)), true
	}
	a, ok := r.p.schema.Attribute(name)
	if !ok || !a.Readable() {
		return query.Field{}, false
	}
	return r.field(name, r.p.expr(a), a.Type), true
}

// field describes a value of type t read by expr to package query.
func (r resolver) field(name, expr string, t resource.ValueType) query.Field {
	e := r.e
	d := e.d
	bind := func(v any) (any, error) {
		switch x := v.(type) {
		case resource.SQLFunction:
			return nil, errors.New("must be a value, not a SQL function")
		case json.RawMessage:
			if err := e.checkValue(t, string(x)); err != nil {
				return nil, err
			}
			return string(x), nil
		}
		if err := e.checkValue(t, v); err != nil {
			return nil, err
		}
		return d.BindValue(t, v), nil
	}
	return query.Field{
		Name: name,
		Expr: expr,
		Text: t == resource.String,
		FromJSON: func(raw json.RawMessage) (any, error) {
			v, err := decodeValue(t, raw)
			if err != nil {
				return nil, err
			}
			return bind(v)
		},
		FromText: func(s string) (any, error) {
			v, err := textValue(t, s)
			if err != nil {
				return nil, err
			}
			return bind(v)
		},
		AppendJSON: func(b []byte, v any) []byte { return appendValue(b, t, v) },
	}
}

func (r resolver) Relation(name string) (query.Relation, bool) {
	rel, ok := r.p.schema.Relationship(name)
	if !ok {
		return query.Relation{}, false
	}
	target, ok := r.e.Lookup(rel.Type)
	if !ok {
		return query.Relation{}, false
	}
	out := query.Relation{Name: name, ToMany: rel.Kind != resource.ToOne, Target: r.e.Resolver(target)}
	ts := target.schema
	switch rel.Kind {
	case resource.ToOne:
		fk := qualify(r.p.schema.Table, rel.ForeignKey)
		out.Key = fk
		id := r.field(name, fk, idType(ts.ID))
		out.ID = &id
		out.Matches = func(ctx context.Context, cond sq.Sqlizer) (sq.SelectBuilder, error) {
			b, err := target.rows(ctx)
			if err != nil {
				return b, err
			}
			return where(b.Columns(target.idExpr), cond), nil
		}
		out.Lookup = func(ctx context.Context, f query.Field) (sq.Sqlizer, error) {
			b, err := target.rows(ctx)
			if err != nil {
				return nil, err
			}
			sub := b.Columns(f.Expr+" AS restless_k", target.idExpr+" AS restless_i")
			return sq.Expr("(SELECT restless_t.restless_k FROM (?) AS restless_t WHERE restless_t.restless_i = "+fk+")", sub), nil
		}
	case resource.ToMany:
		out.Key = r.p.idExpr
		fk := qualify(ts.Table, rel.ForeignKey)
		out.Matches = func(ctx context.Context, cond sq.Sqlizer) (sq.SelectBuilder, error) {
			b, err := target.rows(ctx)
			if err != nil {
				return b, err
			}
			return where(b.Columns(fk).Where(sq.NotEq{fk: nil}), cond), nil
		}
	case resource.ManyToMany:
		out.Key = r.p.idExpr
		key := qualify(rel.JoinTable, rel.JoinKey)
		on := resource.QuoteIdent(rel.JoinTable) + " ON " + qualify(rel.JoinTable, rel.JoinTargetKey) + " = " + target.idExpr
		out.Matches = func(ctx context.Context, cond sq.Sqlizer) (sq.SelectBuilder, error) {
			b, err := target.rows(ctx)
			if err != nil {
				return b, err
			}
			return where(b.Join(on).Columns(key).Where(sq.NotEq{key: nil}), cond), nil
		}
	default:
		return query.Relation{}, false
	}
	return out, true
}

func where(b sq.SelectBuilder, cond sq.Sqlizer) sq.SelectBuilder {
	if cond == nil {
		return b
	}
	return b.Where(cond)
}
