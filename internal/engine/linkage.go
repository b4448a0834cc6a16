package engine

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	sq "github.com/Masterminds/squirrel"
	"github.com/gorestless/restless/dialect"
	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// member is one resource identifier of a request's linkage.
type member struct {
	id   any
	meta resource.Values // join-table attributes, for many-to-many
	ptr  string          // pointer to the identifier
}

// A Linkage is a decoded relationship object of a request: the related
// resources it names, each checked to be an id of the related type.
type Linkage struct {
	rel     *resource.Relationship
	toOne   *member // nil with null
	members []member
	ptr     string
}

// DecodeRelationship parses the document of a request to a relationship
// endpoint of rel (or of an atomic operation on one): an object whose
// "data" is null or an identifier for a to-one, a list of identifiers for
// a to-many.
func (e *Engine) DecodeRelationship(rel *resource.Relationship, body []byte) (*Linkage, error) {
	doc, err := DecodeDocument(body)
	if err != nil {
		return nil, err
	}
	if _, ok := doc["data"]; !ok {
		return nil, badDocument("", `The request document has no "data" member.`)
	}
	return e.decodeLinkage(rel, body, "")
}

// decodeLinkage reads the "data" of a relationship at ptr: null or an
// identifier for a to-one, a list of identifiers for a to-many.
func (e *Engine) decodeLinkage(rel *resource.Relationship, raw json.RawMessage, ptr string) (*Linkage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, badDocument(ptr, "A relationship must be an object with a \"data\" member.")
	}
	data, ok := obj["data"]
	if !ok {
		return nil, badDocument(ptr, "The relationship has no \"data\" member.")
	}
	ptr += "/data"
	target, ok := e.Lookup(rel.Type)
	if !ok {
		return nil, &jsonapi.Error{Status: 403, Title: "Relationship Not Writable",
			Detail: fmt.Sprintf("The relationship %q leads to a type this API does not serve.", rel.Name), Source: jsonapi.Pointer(ptr)}
	}
	l := &Linkage{rel: rel, ptr: ptr}
	data = bytes.TrimSpace(data)
	if rel.Kind == resource.ToOne {
		if string(data) == "null" {
			return l, nil
		}
		m, err := e.decodeIdentifier(rel, target, data, ptr)
		if err != nil {
			return nil, err
		}
		l.toOne = &m
		return l, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil || items == nil {
		return nil, badDocument(ptr, fmt.Sprintf("The to-many relationship %q needs a list of resource identifiers.", rel.Name))
	}
	if len(items) > maxIn*2 {
		return nil, badDocument(ptr, fmt.Sprintf("A request may name at most %d members.", maxIn*2))
	}
	seen := map[string]bool{}
	for i, it := range items {
		m, err := e.decodeIdentifier(rel, target, it, ptr+"/"+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		k := formatID(m.id)
		if seen[k] {
			continue
		}
		seen[k] = true
		l.members = append(l.members, m)
	}
	return l, nil
}

func (e *Engine) decodeIdentifier(rel *resource.Relationship, target *Type, raw json.RawMessage, ptr string) (member, error) {
	var ident map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ident); err != nil || ident == nil {
		return member{}, badDocument(ptr, "A resource identifier must be an object with \"type\" and \"id\".")
	}
	var typ, id string
	if err := json.Unmarshal(ident["type"], &typ); err != nil {
		return member{}, badDocument(ptr, "The resource identifier needs a string \"type\".")
	}
	if typ != rel.Type {
		return member{}, &jsonapi.Error{Status: 409, Title: "Type Mismatch",
			Detail: fmt.Sprintf("The relationship %q holds %q resources, not %q.", rel.Name, rel.Type, typ), Source: jsonapi.Pointer(ptr + "/type")}
	}
	if err := json.Unmarshal(ident["id"], &id); err != nil {
		return member{}, badDocument(ptr, "The resource identifier needs a string \"id\".")
	}
	key, ok := e.ParseID(target, id)
	if !ok {
		return member{}, notFoundAt(ptr+"/id", rel.Type, id)
	}
	m := member{id: key, ptr: ptr}
	if rawMeta, ok := ident["meta"]; ok && rel.Kind == resource.ManyToMany && len(rel.JoinAttributes) > 0 {
		var meta map[string]json.RawMessage
		if err := json.Unmarshal(rawMeta, &meta); err != nil || meta == nil {
			return member{}, badDocument(ptr+"/meta", "The meta member must be an object.")
		}
		m.meta = resource.Values{}
		for _, name := range sortedKeys(meta) {
			var attr *resource.Attribute
			for i := range rel.JoinAttributes {
				if rel.JoinAttributes[i].Name == name {
					attr = &rel.JoinAttributes[i]
				}
			}
			mptr := ptr + "/meta/" + jsonapi.EscapePointer(name)
			if attr == nil {
				return member{}, &jsonapi.Error{Status: 400, Title: "Unknown Meta Member",
					Detail: fmt.Sprintf("The relationship %q keeps no %q.", rel.Name, name), Source: jsonapi.Pointer(mptr)}
			}
			if attr.ReadOnly {
				return member{}, &jsonapi.Error{Status: 403, Title: "Read-Only Meta Member",
					Detail: fmt.Sprintf("The meta member %q cannot be written.", name), Source: jsonapi.Pointer(mptr)}
			}
			v, err := decodeValue(attr.Type, meta[name])
			if err == nil {
				err = e.checkValue(attr.Type, v)
			}
			if err != nil {
				return member{}, &jsonapi.Error{Status: 400, Title: "Invalid Meta Value",
					Detail: fmt.Sprintf("The meta member %q %s.", name, err.Error()), Source: jsonapi.Pointer(mptr)}
			}
			m.meta[name] = v
		}
	}
	return m, nil
}

func notFoundAt(ptr, typ, id string) *jsonapi.Error {
	return &jsonapi.Error{Status: 404, Title: "Related Resource Not Found",
		Detail: fmt.Sprintf("There is no %q resource with the id %q.", typ, id), Source: jsonapi.Pointer(ptr)}
}

// checkExists fails with a 404 pointing at the first member the target's
// row filter does not show.
func (e *Engine) checkExists(ctx context.Context, tx *sql.Tx, target *Type, ms []member) error {
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
		b, err := e.rowsOf(ctx, target)
		if err != nil {
			return err
		}
		got, err := e.keys(ctx, tx, b.Columns(target.idExpr).Where(sq.Eq{target.idExpr: chunk}))
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
func (e *Engine) keys(ctx context.Context, tx *sql.Tx, b sq.SelectBuilder) ([]any, error) {
	text, args, err := b.PlaceholderFormat(e.d.Placeholder()).ToSql()
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, text, args...)
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
func (e *Engine) current(ctx context.Context, tx *sql.Tx, target *Type, rel *resource.Relationship, parent any) ([]any, error) {
	b, err := e.rowsOf(ctx, target)
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
	return e.keys(ctx, tx, b)
}

// errNotNullLink answers the removal of members whose foreign key cannot
// be NULL.
func errNotNullLink(rel *resource.Relationship, ptr string) *jsonapi.Error {
	return &jsonapi.Error{Status: 409, Title: "Conflict",
		Detail: fmt.Sprintf("Members cannot leave %q: each must belong to a resource.", rel.Name), Source: jsonapi.Pointer(ptr)}
}

// changeToMany applies op to parent's to-many relationship l.rel inside
// tx. The members were checked to exist.
func (e *Engine) changeToMany(ctx context.Context, tx *sql.Tx, target *Type, parent any, l *Linkage, op resource.LinkOp) error {
	rel := l.rel
	d := e.d
	cur, err := e.current(ctx, tx, target, rel, parent)
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
		_, err := exec(ctx, tx, d.Placeholder(), b)
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
				cols[resource.QuoteIdent(col)] = e.bindValue(ja.Type, v)
			}
		}
		if err := run(sq.Insert(join).SetMap(cols)); err != nil {
			return err
		}
	}
	return nil
}

// bindValue converts one decoded value for SQL.
func (e *Engine) bindValue(t resource.ValueType, v any) any {
	switch x := v.(type) {
	case resource.SQLFunction:
		return sq.Expr(e.d.Function(x))
	case json.RawMessage:
		return string(x)
	}
	return e.d.BindValue(t, v)
}
