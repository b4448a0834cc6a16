package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless/internal/jsontext"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/query"
	"github.com/gorestless/restless/resource"
)

// maxIn bounds the ids of one IN list; larger sets take several queries.
const maxIn = 500

// An includer fills the relationships and included resources of one
// response: one query per include path and level, never one per row.
type includer struct {
	e        *Engine
	ctx      context.Context
	l        *Linker
	fields   map[string][]string
	seen     map[objectKey]*jsonapi.Object
	included []*jsonapi.Object
	max      int
}

// trie is the include paths merged: children by relationship name.
type trie map[string]trie

// objectKey names a resource by type and id.
type objectKey struct{ typ, id string }

func key(typ, id string) objectKey { return objectKey{typ, id} }

// include loads params.Include for the primary objects of plan p.
func include(ctx context.Context, e *Engine, l *Linker, p *Type, primary []*jsonapi.Object, params query.Params) ([]*jsonapi.Object, error) {
	if len(params.Include) == 0 {
		return nil, nil
	}
	in := &includer{e: e, ctx: ctx, l: l, fields: params.Fields, seen: map[objectKey]*jsonapi.Object{}, included: []*jsonapi.Object{}, max: e.maxIncluded}
	for _, o := range primary {
		in.seen[key(o.Type, o.ID)] = o
	}
	t := trie{}
	for _, path := range params.Include {
		n := t
		for _, name := range path {
			if n[name] == nil {
				n[name] = trie{}
			}
			n = n[name]
		}
	}
	if err := in.load(p, primary, t); err != nil {
		return nil, err
	}
	return in.included, nil
}

// load includes the relationships in t of parents, all of plan p, and
// recurses into the next level.
func (in *includer) load(p *Type, parents []*jsonapi.Object, t trie) error {
	names := make([]string, 0, len(t))
	for name := range t {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		rel, ok := p.schema.Relationship(name)
		if !ok {
			return fmt.Errorf("restless: %s has no relationship %q", p.schema.Type, name)
		}
		target, ok := in.e.Lookup(rel.Type)
		if !ok {
			return fmt.Errorf("restless: type %q is not served", rel.Type)
		}
		children, err := in.related(p, target.only(in.fields[target.schema.Type]), rel, parents)
		if err != nil {
			return err
		}
		if len(t[name]) > 0 && len(children) > 0 {
			if err := in.load(target, children, t[name]); err != nil {
				return err
			}
		}
	}
	return nil
}

// add records o as included unless it is known; it returns the object
// that stands for o's type and id.
func (in *includer) add(o *jsonapi.Object) (*jsonapi.Object, error) {
	k := key(o.Type, o.ID)
	if old, ok := in.seen[k]; ok {
		return old, nil
	}
	if len(in.included) >= in.max {
		return nil, &jsonapi.Error{Status: 400, Title: "Too Many Included Resources",
			Detail: fmt.Sprintf("The response would include more than %d resources; include fewer relationships or ask for smaller pages.", in.max),
			Source: jsonapi.Parameter("include")}
	}
	in.seen[k] = o
	in.included = append(in.included, o)
	return o, nil
}

// parentIDs returns the distinct keys of objects of plan p.
func parentIDs(p *Type, objs []*jsonapi.Object) []any {
	ids := make([]any, 0, len(objs))
	seen := map[string]bool{}
	for _, o := range objs {
		if seen[o.ID] {
			continue
		}
		seen[o.ID] = true
		if id, ok := parseID(p.schema.ID, o.ID); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// related loads the resources related to parents through rel, sets the
// parents' full linkage and returns the distinct children.
func (in *includer) related(p, tp *Type, rel *resource.Relationship, parents []*jsonapi.Object) ([]*jsonapi.Object, error) {
	ctx := in.ctx
	var children []*jsonapi.Object
	switch rel.Kind {
	case resource.ToOne:
		var ids []any
		seen := map[string]bool{}
		for _, o := range parents {
			ro := in.l.relationshipOf(o, rel.Name)
			if ro == nil || string(ro.Data) == "null" || ro.Data == nil {
				continue
			}
			var ident struct{ ID string }
			if json.Unmarshal(ro.Data, &ident) != nil || seen[ident.ID] {
				continue
			}
			seen[ident.ID] = true
			if id, ok := parseID(tp.schema.ID, ident.ID); ok {
				ids = append(ids, id)
			}
		}
		for chunk := range slices.Chunk(ids, maxIn) {
			b, err := in.e.selectBase(ctx, tp)
			if err != nil {
				return nil, err
			}
			objs, _, err := in.e.readRows(ctx, tp, in.l, b.Where(sq.Eq{tp.idExpr: chunk}).OrderBy(tp.idExpr), 0)
			if err != nil {
				return nil, err
			}
			for _, o := range objs {
				o, err := in.add(o)
				if err != nil {
					return nil, err
				}
				children = append(children, o)
			}
		}
		return dedupe(children), nil
	case resource.ToMany, resource.ManyToMany:
		groups := map[string][]byte{}
		// The statement depends on the parent type, the relationship
		// and the number of ids; the ids are its arguments. The text is
		// cached only when the parent's plan is the registered one of
		// its type, so the type and name fix the relationship.
		prefix := "many\x00" + p.schema.Type + "\x00" + rel.Name + "\x00"
		reg, ok := in.e.Lookup(p.schema.Type)
		registered := ok && reg == p
		for chunk := range slices.Chunk(parentIDs(p, parents), maxIn) {
			build := func() (string, []any, error) {
				b, err := in.e.selectBase(ctx, tp)
				if err != nil {
					return "", nil, err
				}
				var owner string
				var metaCols []string
				if rel.Kind == resource.ToMany {
					owner = qualify(tp.schema.Table, rel.ForeignKey)
				} else {
					owner = qualify(rel.JoinTable, rel.JoinKey)
					b = b.Join(resource.QuoteIdent(rel.JoinTable) + " ON " + qualify(rel.JoinTable, rel.JoinTargetKey) + " = " + tp.idExpr)
					for _, ja := range rel.JoinAttributes {
						metaCols = append(metaCols, joinExpr(rel, &ja))
					}
				}
				b = b.Column(owner).Columns(metaCols...).Where(sq.Eq{owner: chunk}).OrderBy(owner, tp.idExpr)
				return b.PlaceholderFormat(in.e.d.Placeholder()).ToSql()
			}
			var text string
			var args []any
			var err error
			if registered {
				text, args, err = in.e.cachedSQL(ctx, tp, prefix+strconv.Itoa(len(chunk)), chunk, build)
			} else {
				text, args, err = build()
			}
			if err != nil {
				return nil, err
			}
			objs, extra, err := in.e.readRowsSQL(ctx, tp, in.l, text, args, 1+len(rel.JoinAttributes))
			if err != nil {
				return nil, err
			}
			for i, o := range objs {
				o, err := in.add(o)
				if err != nil {
					return nil, err
				}
				children = append(children, o)
				ownerID := formatID(extra[i][0])
				g := groups[ownerID]
				if len(g) > 0 {
					g = append(g, ',')
				}
				groups[ownerID] = appendLinkage(g, o.Type, o.ID, rel.JoinAttributes, extra[i][1:])
			}
		}
		for _, o := range parents {
			if ro := in.l.relationshipOf(o, rel.Name); ro != nil {
				ro.Data = append(append([]byte{'['}, groups[o.ID]...), ']')
			}
		}
		return dedupe(children), nil
	}
	return nil, fmt.Errorf("restless: relationship %q has no kind", rel.Name)
}

// joinExpr reads a join-table attribute.
func joinExpr(rel *resource.Relationship, a *resource.Attribute) string {
	if a.Expr != "" {
		return a.Expr
	}
	col := a.Column
	if col == "" {
		col = a.Name
	}
	return qualify(rel.JoinTable, col)
}

// appendLinkage appends a resource identifier with the join table's
// attributes as its meta.
func appendLinkage(b []byte, typ, id string, attrs []resource.Attribute, vals []any) []byte {
	b = append(b, `{"type":`...)
	b = jsontext.AppendString(b, typ)
	b = append(b, `,"id":`...)
	b = jsontext.AppendString(b, id)
	if len(attrs) > 0 {
		b = append(b, `,"meta":{`...)
		for i := range attrs {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsontext.AppendString(b, attrs[i].Name)
			b = append(b, ':')
			b = appendValue(b, attrs[i].Type, vals[i])
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func dedupe(objs []*jsonapi.Object) []*jsonapi.Object {
	seen := map[*jsonapi.Object]bool{}
	out := objs[:0]
	for _, o := range objs {
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	return out
}
