package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"

	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// DecodeObject parses a request document holding one resource object of
// type t. op is OpCreate or OpUpdate. Every name is checked against the
// schema and every value against its type (and the dialect) before any
// SQL is built.
func (e *Engine) DecodeObject(body []byte, t *Type, op resource.Op) (*Input, error) {
	s := t.schema
	doc, err := DecodeDocument(body)
	if err != nil {
		return nil, err
	}
	rawData, ok := doc["data"]
	if !ok {
		return nil, badDocument("", `The request document has no "data" member.`)
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(rawData, &data); err != nil || data == nil {
		return nil, badDocument("/data", `The "data" member must be a resource object.`)
	}
	in := &Input{values: resource.Values{}}

	rawType, ok := data["type"]
	if !ok {
		return nil, badDocument("/data", `The resource object has no "type" member.`)
	}
	var typ string
	if err := json.Unmarshal(rawType, &typ); err != nil || bytes.Equal(bytes.TrimSpace(rawType), []byte("null")) {
		return nil, badDocument("/data/type", `The "type" member must be a string.`)
	}
	if typ != s.Type {
		return nil, &jsonapi.Error{Status: 409, Title: "Type Mismatch",
			Detail: fmt.Sprintf("The type %q does not match this endpoint's type %q.", typ, s.Type), Source: jsonapi.Pointer("/data/type")}
	}
	if rawID, ok := data["id"]; ok {
		var id string
		if err := json.Unmarshal(rawID, &id); err != nil || bytes.Equal(bytes.TrimSpace(rawID), []byte("null")) {
			return nil, badDocument("/data/id", `The "id" member must be a string.`)
		}
		in.ID = &id
	} else if op == resource.OpUpdate {
		return nil, badDocument("/data/id", `The resource object has no "id" member; a PATCH must name the resource it updates.`)
	}
	if rawLID, ok := data["lid"]; ok {
		if err := json.Unmarshal(rawLID, &in.LID); err != nil {
			return nil, badDocument("/data/lid", `The "lid" member must be a string.`)
		}
	}
	if rawAttrs, ok := data["attributes"]; ok {
		var attrs map[string]json.RawMessage
		if err := json.Unmarshal(rawAttrs, &attrs); err != nil || attrs == nil {
			return nil, badDocument("/data/attributes", `The "attributes" member must be an object.`)
		}
		var errs []error
		for _, name := range sortedKeys(attrs) {
			ptr := "/data/attributes/" + jsonapi.EscapePointer(name)
			at, ok := s.Attribute(name)
			if !ok {
				errs = append(errs, &jsonapi.Error{Status: 400, Title: "Unknown Attribute",
					Detail: fmt.Sprintf("The type %q has no attribute %q.", s.Type, name), Source: jsonapi.Pointer(ptr)})
				continue
			}
			if !at.Writable() {
				errs = append(errs, &jsonapi.Error{Status: 403, Title: "Read-Only Attribute",
					Detail: fmt.Sprintf("The attribute %q cannot be written.", name), Source: jsonapi.Pointer(ptr)})
				continue
			}
			v, err := decodeValue(at.Type, attrs[name])
			if err == nil {
				err = e.checkValue(at.Type, v)
			}
			if err != nil {
				errs = append(errs, &jsonapi.Error{Status: 400, Title: "Invalid Attribute Value",
					Detail: fmt.Sprintf("The attribute %q %s.", name, err.Error()), Source: jsonapi.Pointer(ptr)})
				continue
			}
			in.values[name] = v
		}
		if len(errs) > 0 {
			return nil, errors.Join(errs...)
		}
	}
	if rawRels, ok := data["relationships"]; ok {
		var rels map[string]json.RawMessage
		if err := json.Unmarshal(rawRels, &rels); err != nil || rels == nil {
			return nil, badDocument("/data/relationships", `The "relationships" member must be an object.`)
		}
		for _, name := range sortedKeys(rels) {
			ptr := "/data/relationships/" + jsonapi.EscapePointer(name)
			rel, ok := s.Relationship(name)
			if !ok {
				return nil, &jsonapi.Error{Status: 400, Title: "Unknown Relationship",
					Detail: fmt.Sprintf("The type %q has no relationship %q.", s.Type, name), Source: jsonapi.Pointer(ptr)}
			}
			if rel.ReadOnly {
				return nil, &jsonapi.Error{Status: 403, Title: "Relationship Not Writable",
					Detail: fmt.Sprintf("The relationship %q cannot be set.", name), Source: jsonapi.Pointer(ptr)}
			}
			lk, err := e.decodeLinkage(rel, rels[name], ptr)
			if err != nil {
				return nil, err
			}
			if rel.Kind == resource.ToOne {
				var v any
				if lk.toOne != nil {
					v = lk.toOne.id
				}
				in.values[name] = v
			}
			in.links = append(in.links, lk)
		}
	}
	return in, nil
}

// DecodeDocument decodes a request document into its members, keeping
// numbers exact; a body that is not one JSON object is a 400.
func DecodeDocument(body []byte) (map[string]json.RawMessage, error) {
	var doc map[string]json.RawMessage
	if err := decodeStrict(body, &doc); err != nil {
		return nil, badDocument("", "The request body is not a JSON object: "+err.Error()+".")
	}
	return doc, nil
}

// decodeStrict decodes one JSON value into v, keeping numbers exact and
// refusing trailing data.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("syntax error at byte %d", se.Offset)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("found a JSON %s", te.Value)
		}
		if errors.Is(err, io.EOF) {
			return errors.New("the body is empty")
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return errors.New("the body ends early")
		}
		return errors.New("it cannot be decoded")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data follows the JSON value")
	}
	if v, ok := v.(*map[string]json.RawMessage); ok && *v == nil {
		return errors.New("found null")
	}
	return nil
}

func sortedKeys(m map[string]json.RawMessage) []string {
	return slices.Sorted(maps.Keys(m))
}

// DecodeBulk parses the document of a bulk PATCH: a resource object of
// type p with a type and no id, whose attributes and to-one
// relationships are validated as a PATCH of one resource's are.
func (e *Engine) DecodeBulk(body []byte, p *Type) (*Input, error) {
	// OpCreate: unlike a PATCH of one resource, the object has no id.
	in, err := e.DecodeObject(body, p, resource.OpCreate)
	if err != nil {
		return nil, err
	}
	if in.ID != nil {
		return nil, badDocument("/data/id", `A bulk change selects its resources with the filter: the resource object must have no "id".`)
	}
	for _, lk := range in.links {
		if lk.rel.Kind != resource.ToOne {
			return nil, &jsonapi.Error{Status: 403, Title: "Relationship Not Writable",
				Detail: fmt.Sprintf("A bulk change cannot set the to-many relationship %q; change it on each resource.", lk.rel.Name),
				Source: jsonapi.Pointer("/data/relationships/" + jsonapi.EscapePointer(lk.rel.Name))}
		}
	}
	return in, nil
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
