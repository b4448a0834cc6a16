package restless

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/query"
)

// registry maps the types an API serves to their plans, so filters and
// sorts can follow relationships to other types.
type registry struct {
	mu    sync.RWMutex
	types map[string]*plan
	stmts *stmtCache
	// writes holds the prepared statements of writes (see txstmt.go).
	writes *writeStmts
	// texts holds SQL texts of reads (see sqltext.go).
	texts *sqlTexts
}

// regInit guards the lazy creation of APIs' registries.
var regInit sync.Mutex

func (a *API) registry() *registry {
	regInit.Lock()
	defer regInit.Unlock()
	if a.reg == nil {
		a.reg = &registry{types: map[string]*plan{}}
	}
	return a.reg
}

// register makes p's type known to the API's other handlers; the first
// plan of a type wins.
func (a *API) register(p *plan) *plan {
	reg := a.registry()
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if old, ok := reg.types[p.schema.Type]; ok && old.res == p.res {
		return old
	}
	if _, ok := reg.types[p.schema.Type]; !ok {
		reg.types[p.schema.Type] = p
	}
	return p
}

func (a *API) lookupType(typ string) (*plan, bool) {
	reg := a.registry()
	reg.mu.RLock()
	defer reg.mu.RUnlock()
	p, ok := reg.types[typ]
	return p, ok
}

// resolver answers query's questions about one plan's names.
type resolver struct {
	api *API
	p   *plan
}

func (a *API) resolver(p *plan) query.Resolver { return resolver{api: a, p: p} }

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
		return r.api.field("id", r.p.idExpr, r.p.schema.ID.valueType()), true
	}
	a, ok := r.p.schema.Attribute(name)
	if !ok || !a.Readable() {
		return query.Field{}, false
	}
	return r.api.field(name, r.p.expr(a), a.Type), true
}

// field describes a value of type t read by expr to package query.
func (a *API) field(name, expr string, t ValueType) query.Field {
	d := a.dialect()
	bind := func(v any) (any, error) {
		switch x := v.(type) {
		case SQLFunction:
			return nil, errors.New("must be a value, not a SQL function")
		case json.RawMessage:
			if err := a.checkValue(t, string(x)); err != nil {
				return nil, err
			}
			return string(x), nil
		}
		if err := a.checkValue(t, v); err != nil {
			return nil, err
		}
		return d.BindValue(t, v), nil
	}
	return query.Field{
		Name: name,
		Expr: expr,
		Text: t == String,
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

// textValue converts a query-string value of type t.
func textValue(t ValueType, s string) (any, error) {
	switch t {
	case String:
		return s, nil
	case Integer:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, errors.New("must be an integer")
		}
		return n, nil
	case Float:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, errors.New("must be a number")
		}
		return f, nil
	case Boolean:
		switch strings.ToLower(s) {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
		return nil, errors.New("must be true or false")
	case JSON:
		return s, nil
	case UUID:
		if isUUID(s) {
			return s, nil
		}
		return nil, errors.New("must be a UUID")
	}
	raw, _ := json.Marshal(s)
	return decodeValue(t, raw)
}

func (r resolver) Relation(name string) (query.Relation, bool) {
	rel, ok := r.p.schema.Relationship(name)
	if !ok {
		return query.Relation{}, false
	}
	target, ok := r.api.lookupType(rel.Type)
	if !ok {
		return query.Relation{}, false
	}
	out := query.Relation{Name: name, ToMany: rel.Kind != ToOne, Target: r.api.resolver(target)}
	ts := target.schema
	switch rel.Kind {
	case ToOne:
		fk := qualify(r.p.schema.Table, rel.ForeignKey)
		out.Key = fk
		id := r.api.field(name, fk, ts.ID.valueType())
		out.ID = &id
		out.Matches = func(ctx context.Context, cond sq.Sqlizer) (sq.SelectBuilder, error) {
			b, err := r.api.rowsOf(ctx, target)
			if err != nil {
				return b, err
			}
			return where(b.Columns(target.idExpr), cond), nil
		}
		out.Lookup = func(ctx context.Context, f query.Field) (sq.Sqlizer, error) {
			b, err := r.api.rowsOf(ctx, target)
			if err != nil {
				return nil, err
			}
			sub := b.Columns(f.Expr+" AS restless_k", target.idExpr+" AS restless_i")
			return sq.Expr("(SELECT restless_t.restless_k FROM (?) AS restless_t WHERE restless_t.restless_i = "+fk+")", sub), nil
		}
	case ToMany:
		out.Key = r.p.idExpr
		fk := qualify(ts.Table, rel.ForeignKey)
		out.Matches = func(ctx context.Context, cond sq.Sqlizer) (sq.SelectBuilder, error) {
			b, err := r.api.rowsOf(ctx, target)
			if err != nil {
				return b, err
			}
			return where(b.Columns(fk).Where(sq.NotEq{fk: nil}), cond), nil
		}
	case ManyToMany:
		out.Key = r.p.idExpr
		key := qualify(rel.JoinTable, rel.JoinKey)
		on := QuoteIdent(rel.JoinTable) + " ON " + qualify(rel.JoinTable, rel.JoinTargetKey) + " = " + target.idExpr
		out.Matches = func(ctx context.Context, cond sq.Sqlizer) (sq.SelectBuilder, error) {
			b, err := r.api.rowsOf(ctx, target)
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
