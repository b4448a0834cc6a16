package engine

import (
	"slices"
	"sync/atomic"

	"github.com/gorestless/restless/internal/jsontext"
	"github.com/gorestless/restless/resource"
)

// A Type is a resource type as the engine serves it: its Resource and
// the plan of its reads, precomputed when it is registered (the columns
// it selects, the attribute names it writes and the relationships it
// shows), so rows become resource objects without reflection. A sparse
// fieldset derives a Type of its own for one request.
type Type struct {
	res    resource.Resource
	schema *resource.Schema
	idExpr string
	// cols are the SELECT expressions: the id, then the readable
	// attributes. The linkage of the to-one relationships follows.
	cols  []string
	attrs []*resource.Attribute
	// keys are the encoded `"name":` prefixes of attrs, with the leading
	// comma for all but the first.
	keys [][]byte
	// rels are the relationships shown, in schema order.
	rels []*resource.Relationship
	// hiddenOne are the to-one relationships a sparse fieldset hides;
	// their linkage is still read, for include.
	hiddenOne []*resource.Relationship
	// plain remembers the last base query plainBase judged.
	plain atomic.Pointer[plainMemo]
}

func newType(res resource.Resource) *Type {
	s := res.Schema()
	p := &Type{res: res, schema: s}
	p.idExpr = s.ID.Expr
	if p.idExpr == "" {
		p.idExpr = qualify(s.Table, s.ID.Column)
	}
	p.cols = append(p.cols, p.idExpr)
	for i := range s.Attributes {
		if a := &s.Attributes[i]; a.Readable() {
			p.addAttr(a)
		}
	}
	for i := range s.Relationships {
		p.rels = append(p.rels, &s.Relationships[i])
	}
	return p
}

// expr returns the SQL expression that reads a.
func (p *Type) expr(a *resource.Attribute) string {
	if a.Expr != "" {
		return a.Expr
	}
	return qualify(p.schema.Table, a.Column)
}

func (p *Type) addAttr(a *resource.Attribute) {
	p.cols = append(p.cols, p.expr(a))
	key := []byte{}
	if len(p.attrs) > 0 {
		key = append(key, ',')
	}
	key = jsontext.AppendString(key, a.Name)
	key = append(key, ':')
	p.keys = append(p.keys, key)
	p.attrs = append(p.attrs, a)
}

// Schema returns the type's schema.
func (p *Type) Schema() *resource.Schema { return p.schema }

// Resource returns the type's resource.
func (p *Type) Resource() resource.Resource { return p.res }

// Allows reports whether the resource permits op: it implements the
// interface for op and, if it is an Allower, allows it. A soft-deleting
// resource deletes without being a Deleter.
func (p *Type) Allows(op resource.Op) bool {
	var ok bool
	switch op {
	case resource.OpCreate:
		_, ok = p.res.(resource.Creator)
	case resource.OpUpdate:
		_, ok = p.res.(resource.Updater)
	case resource.OpDelete:
		_, ok = p.res.(resource.Deleter)
		ok = ok || p.schema.SoftDelete != nil
	}
	if a, isAllower := p.res.(resource.Allower); ok && isAllower {
		ok = a.Allows(op)
	}
	return ok
}

// BulkAllows reports whether the type's collection answers op (OpUpdate
// for PATCH, OpDelete for DELETE) as a bulk change.
func (p *Type) BulkAllows(op resource.Op) bool {
	return p.schema.Bulk && p.Allows(op)
}

// writeHooks reports whether the resource has a BeforeWrite and an
// AfterWrite hook that may do something for op.
func (p *Type) writeHooks(op resource.Op) (before, after bool) {
	_, before = p.res.(resource.BeforeWriter)
	_, after = p.res.(resource.AfterWriter)
	if h, ok := p.res.(resource.HookReporter); ok {
		b, a := h.WriteHooks(op)
		before, after = before && b, after && a
	}
	return before, after
}

// only returns the plan of a sparse fieldset: the attributes and
// relationships named in fields, in schema order. A nil fields keeps
// everything.
func (p *Type) only(fields []string) *Type {
	if fields == nil {
		return p
	}
	q := &Type{res: p.res, schema: p.schema, idExpr: p.idExpr, cols: []string{p.idExpr}}
	for _, a := range p.attrs {
		if slices.Contains(fields, a.Name) {
			q.addAttr(a)
		}
	}
	for _, r := range p.rels {
		switch {
		case slices.Contains(fields, r.Name):
			q.rels = append(q.rels, r)
		case r.Kind == resource.ToOne:
			q.hiddenOne = append(q.hiddenOne, r)
		}
	}
	return q
}

// toOne returns the to-one relationships whose linkage is read: the shown
// ones, then the hidden ones.
func (p *Type) toOne() []*resource.Relationship {
	var out []*resource.Relationship
	for _, r := range p.rels {
		if r.Kind == resource.ToOne {
			out = append(out, r)
		}
	}
	return append(out, p.hiddenOne...)
}

func qualify(table, column string) string {
	if table == "" {
		return resource.QuoteIdent(column)
	}
	return resource.QuoteIdent(table) + "." + resource.QuoteIdent(column)
}
