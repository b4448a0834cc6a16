package restless

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	sq "github.com/Masterminds/squirrel"
)

// LinkOp says how a to-many relationship changes.
type LinkOp int

// The to-many changes.
const (
	// LinkReplace replaces every member.
	LinkReplace LinkOp = iota + 1
	// LinkAdd adds members.
	LinkAdd
	// LinkRemove removes members.
	LinkRemove
)

// A LinkChange is a change to a to-many relationship, as the write hooks
// see it.
type LinkChange struct {
	// Name is the relationship.
	Name string
	// Op is the change.
	Op LinkOp
	// IDs are the keys of the related resources named.
	IDs []any
}

// member is one resource identifier of a request's linkage.
type member struct {
	id   any
	meta Values // join-table attributes, for many-to-many
	ptr  string // pointer to the identifier
}

// linkage is a decoded relationship object of a request.
type linkage struct {
	rel     *Relationship
	toOne   *member // nil with null
	members []member
	ptr     string
}

// decodeLinkage reads the "data" of a relationship at ptr: null or an
// identifier for a to-one, a list of identifiers for a to-many.
func decodeLinkage(a *API, rel *Relationship, raw json.RawMessage, ptr string) (*linkage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return nil, badDocument(ptr, "A relationship must be an object with a \"data\" member.")
	}
	data, ok := obj["data"]
	if !ok {
		return nil, badDocument(ptr, "The relationship has no \"data\" member.")
	}
	ptr += "/data"
	target, ok := a.lookupType(rel.Type)
	if !ok {
		return nil, &Error{Status: http.StatusForbidden, Title: "Relationship Not Writable",
			Detail: fmt.Sprintf("The relationship %q leads to a type this API does not serve.", rel.Name), Source: Pointer(ptr)}
	}
	l := &linkage{rel: rel, ptr: ptr}
	data = bytes.TrimSpace(data)
	if rel.Kind == ToOne {
		if string(data) == "null" {
			return l, nil
		}
		m, err := decodeIdentifier(a, rel, target, data, ptr)
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
		m, err := decodeIdentifier(a, rel, target, it, ptr+"/"+strconv.Itoa(i))
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

func decodeIdentifier(a *API, rel *Relationship, target *plan, raw json.RawMessage, ptr string) (member, error) {
	var ident map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ident); err != nil || ident == nil {
		return member{}, badDocument(ptr, "A resource identifier must be an object with \"type\" and \"id\".")
	}
	var typ, id string
	if err := json.Unmarshal(ident["type"], &typ); err != nil {
		return member{}, badDocument(ptr, "The resource identifier needs a string \"type\".")
	}
	if typ != rel.Type {
		return member{}, &Error{Status: http.StatusConflict, Title: "Type Mismatch",
			Detail: fmt.Sprintf("The relationship %q holds %q resources, not %q.", rel.Name, rel.Type, typ), Source: Pointer(ptr + "/type")}
	}
	if err := json.Unmarshal(ident["id"], &id); err != nil {
		return member{}, badDocument(ptr, "The resource identifier needs a string \"id\".")
	}
	key, ok := a.parseID(target.schema.ID, id)
	if !ok {
		return member{}, notFoundAt(ptr+"/id", rel.Type, id)
	}
	m := member{id: key, ptr: ptr}
	if rawMeta, ok := ident["meta"]; ok && rel.Kind == ManyToMany && len(rel.JoinAttributes) > 0 {
		var meta map[string]json.RawMessage
		if err := json.Unmarshal(rawMeta, &meta); err != nil || meta == nil {
			return member{}, badDocument(ptr+"/meta", "The meta member must be an object.")
		}
		m.meta = Values{}
		for _, name := range sortedKeys(meta) {
			var attr *Attribute
			for i := range rel.JoinAttributes {
				if rel.JoinAttributes[i].Name == name {
					attr = &rel.JoinAttributes[i]
				}
			}
			mptr := ptr + "/meta/" + escapePointer(name)
			if attr == nil {
				return member{}, &Error{Status: http.StatusBadRequest, Title: "Unknown Meta Member",
					Detail: fmt.Sprintf("The relationship %q keeps no %q.", rel.Name, name), Source: Pointer(mptr)}
			}
			if attr.ReadOnly {
				return member{}, &Error{Status: http.StatusForbidden, Title: "Read-Only Meta Member",
					Detail: fmt.Sprintf("The meta member %q cannot be written.", name), Source: Pointer(mptr)}
			}
			v, err := decodeValue(attr.Type, meta[name])
			if err == nil {
				err = a.checkValue(attr.Type, v)
			}
			if err != nil {
				return member{}, &Error{Status: http.StatusBadRequest, Title: "Invalid Meta Value",
					Detail: fmt.Sprintf("The meta member %q %s.", name, err.Error()), Source: Pointer(mptr)}
			}
			m.meta[name] = v
		}
	}
	return m, nil
}

func notFoundAt(ptr, typ, id string) *Error {
	return &Error{Status: http.StatusNotFound, Title: "Related Resource Not Found",
		Detail: fmt.Sprintf("There is no %q resource with the id %q.", typ, id), Source: Pointer(ptr)}
}

// checkExists fails with a 404 pointing at the first member the target's
// row filter does not show.
func (a *API) checkExists(ctx context.Context, tx *sql.Tx, target *plan, ms []member) error {
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
		b, err := a.rowsOf(ctx, target)
		if err != nil {
			return err
		}
		got, err := a.keys(ctx, tx, b.Columns(target.idExpr).Where(sq.Eq{target.idExpr: chunk}))
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
func (a *API) keys(ctx context.Context, tx *sql.Tx, b sq.SelectBuilder) ([]any, error) {
	text, args, err := b.PlaceholderFormat(a.dialect().Placeholder()).ToSql()
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
func (a *API) current(ctx context.Context, tx *sql.Tx, target *plan, rel *Relationship, parent any) ([]any, error) {
	b, err := a.rowsOf(ctx, target)
	if err != nil {
		return nil, err
	}
	b = b.Columns(target.idExpr)
	if rel.Kind == ToMany {
		b = b.Where(sq.Eq{qualify(target.schema.Table, rel.ForeignKey): parent})
	} else {
		b = b.Join(QuoteIdent(rel.JoinTable) + " ON " + qualify(rel.JoinTable, rel.JoinTargetKey) + " = " + target.idExpr).
			Where(sq.Eq{qualify(rel.JoinTable, rel.JoinKey): parent})
	}
	return a.keys(ctx, tx, b)
}

// errNotNullLink answers the removal of members whose foreign key cannot
// be NULL.
func errNotNullLink(rel *Relationship, ptr string) *Error {
	return &Error{Status: http.StatusConflict, Title: "Conflict",
		Detail: fmt.Sprintf("Members cannot leave %q: each must belong to a resource.", rel.Name), Source: Pointer(ptr)}
}

// changeToMany applies op to parent's to-many relationship l.rel inside
// tx. The members were checked to exist.
func (a *API) changeToMany(ctx context.Context, tx *sql.Tx, target *plan, parent any, l *linkage, op LinkOp) error {
	rel := l.rel
	d := a.dialect()
	cur, err := a.current(ctx, tx, target, rel, parent)
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
		if !isCur[formatID(m.id)] || (op == LinkReplace && m.meta != nil) {
			add = append(add, m)
		}
	}
	var remove []any
	switch op {
	case LinkReplace:
		for _, k := range cur {
			if !named[formatID(k)] {
				remove = append(remove, k)
			}
		}
	case LinkRemove:
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
	if rel.Kind == ToMany {
		table, fk := QuoteIdent(target.schema.Table), QuoteIdent(rel.ForeignKey)
		if len(remove) > 0 {
			err := run(sq.Update(table).Set(fk, nil).Where(sq.Eq{target.idExpr: remove}))
			if err != nil {
				if d.Classify(err).Kind == DBNotNull {
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
	join := QuoteIdent(rel.JoinTable)
	key, tkey := QuoteIdent(rel.JoinKey), QuoteIdent(rel.JoinTargetKey)
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
				cols[QuoteIdent(col)] = a.bindValue(ja.Type, v)
			}
		}
		if err := run(sq.Insert(join).SetMap(cols)); err != nil {
			return err
		}
	}
	return nil
}

// bindValue converts one decoded value for SQL.
func (a *API) bindValue(t ValueType, v any) any {
	switch x := v.(type) {
	case SQLFunction:
		return sq.Expr(a.dialect().Function(x))
	case json.RawMessage:
		return string(x)
	}
	return a.dialect().BindValue(t, v)
}
