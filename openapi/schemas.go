package openapi

import (
	"fmt"

	"github.com/gorestless/restless/resource"

	"github.com/getkin/kin-openapi/openapi3"
)

// identifier returns the schema of an identifier of typ.
func (b *builder) identifier(typ string) *openapi3.SchemaRef {
	if t, ok := b.types[typ]; ok {
		return b.ref(t.key + ".identifier")
	}
	return inline(object(openapi3.Schemas{
		"type": inline(&openapi3.Schema{Type: types("string"), Enum: []any{typ}}),
		"id":   inline(stringSchema("")),
	}, "type", "id"))
}

// readable returns the attributes of s that documents show.
func readable(s *resource.Schema) []*resource.Attribute {
	var out []*resource.Attribute
	for i := range s.Attributes {
		if a := &s.Attributes[i]; a.Readable() {
			out = append(out, a)
		}
	}
	return out
}

// typeSchemas defines the components of one type.
func (b *builder) typeSchemas(t *typeInfo) {
	s := t.schema
	k := t.key
	typeEnum := inline(&openapi3.Schema{Type: types("string"), Enum: []any{s.Type}})

	b.define(k+".identifier", object(openapi3.Schemas{
		"type": typeEnum,
		"id":   inline(idSchema(s)),
		"meta": b.ref("Meta"),
	}, "type", "id"))
	b.schema(k + ".identifier").Description = fmt.Sprintf("A resource identifier of a %q resource.", s.Type)

	attrs := openapi3.Schemas{}
	for i := range s.Attributes {
		attrs[s.Attributes[i].Name] = inline(attributeSchema(&s.Attributes[i]))
	}
	b.define(k+".attributes", closed(object(attrs)))
	b.schema(k + ".attributes").Description = fmt.Sprintf("The attributes of a %q resource; a sparse fieldset (fields[%s]) may leave any out.", s.Type, s.Type)

	rels := openapi3.Schemas{}
	writable := openapi3.Schemas{}
	for _, ri := range t.rels {
		b.relationshipSchemas(t, ri)
		ro := object(openapi3.Schemas{
			"links": inline(object(openapi3.Schemas{
				"self":    inline(uriSchema("The relationship's linkage.")),
				"related": inline(uriSchema("The related resources.")),
			})),
			"data": b.ref(ri.key + ".linkage"),
			"meta": inline(object(openapi3.Schemas{
				"count": inline(&openapi3.Schema{Type: types("integer"), Format: "int64", Description: "The number of related resources, with withCount."}),
			})),
		})
		if ri.rel.Kind == resource.ToOne {
			ro.Description = "A to-one relationship, with its linkage."
		} else {
			ro.Description = "A to-many relationship: its linkage (data) is given when include names it."
		}
		if ri.rel.ReadOnly {
			ro.ReadOnly = true
		}
		rels[ri.rel.Name] = inline(ro)
		if !ri.rel.ReadOnly {
			writable[ri.rel.Name] = b.ref(ri.key + ".linkageRequest")
		}
	}

	props := openapi3.Schemas{
		"type":       typeEnum,
		"id":         inline(idSchema(s)),
		"attributes": b.ref(k + ".attributes"),
		"links":      inline(object(openapi3.Schemas{"self": inline(uriSchema("The resource."))})),
		"meta":       b.ref("Meta"),
	}
	if len(rels) > 0 {
		b.define(k+".relationships", closed(object(rels)))
		props["relationships"] = b.ref(k + ".relationships")
	}
	res := object(props, "type", "id")
	res.Description = fmt.Sprintf("A %q resource object.", s.Type)
	res.Properties["lid"] = inline(stringSchema("The local id the create request gave, in a 201 response."))
	b.define(k, res)

	// Response documents.
	b.define(k+".document", object(openapi3.Schemas{
		"data":     b.ref(k),
		"included": inline(array(b.ref("Resource"))),
		"links":    b.ref("Links"),
		"meta":     b.ref("Meta"),
		"jsonapi":  b.ref("JSONAPI"),
	}, "data"))
	b.schema(k + ".document").Description = fmt.Sprintf("A document whose primary data is a %q resource object.", s.Type)
	b.define(k+".related", object(openapi3.Schemas{
		"data":     inline(&openapi3.Schema{OneOf: openapi3.SchemaRefs{b.ref(k), inline(nullSchema())}}),
		"included": inline(array(b.ref("Resource"))),
		"links":    b.ref("Links"),
		"meta":     b.ref("Meta"),
		"jsonapi":  b.ref("JSONAPI"),
	}, "data"))
	b.schema(k + ".related").Description = fmt.Sprintf("A document whose primary data is a %q resource object or null.", s.Type)
	b.define(k+".collection", object(openapi3.Schemas{
		"data": inline(&openapi3.Schema{
			Description: "The page of resource objects, or the one resource filter[single] asks for.",
			OneOf:       openapi3.SchemaRefs{inline(array(b.ref(k))), b.ref(k)},
		}),
		"included": inline(array(b.ref("Resource"))),
		"links":    b.ref("PageLinks"),
		"meta": inline(object(openapi3.Schemas{
			"total": inline(&openapi3.Schema{Type: types("integer"), Format: "int64", Description: "The number of resources the filters select; absent with cursor pagination."}),
		})),
		"jsonapi": b.ref("JSONAPI"),
	}, "data"))
	b.schema(k + ".collection").Description = fmt.Sprintf("A page of %q resource objects.", s.Type)

	// Request documents.
	create := object(openapi3.Schemas{
		"type":       typeEnum,
		"lid":        inline(stringSchema("A local id, echoed in the response.")),
		"attributes": b.ref(k + ".attributes"),
	}, "type")
	if s.ClientIDs {
		create.Properties["id"] = inline(idSchema(s))
		create.Description = "A new resource; the client may choose its id."
	} else {
		create.Description = "A new resource; the server assigns its id (a client-generated id is refused with 403)."
	}
	update := object(openapi3.Schemas{
		"type":       typeEnum,
		"id":         inline(idSchema(s)),
		"attributes": b.ref(k + ".attributes"),
	}, "type", "id")
	update.Description = "The members to change; the others keep their values."
	if len(writable) > 0 {
		b.define(k+".relationshipsRequest", closed(object(writable)))
		create.Properties["relationships"] = b.ref(k + ".relationshipsRequest")
		update.Properties["relationships"] = b.ref(k + ".relationshipsRequest")
	}
	b.define(k+".create", object(openapi3.Schemas{"data": inline(create)}, "data"))
	b.schema(k + ".create").Description = fmt.Sprintf("The request document that creates a %q resource.", s.Type)
	b.define(k+".update", object(openapi3.Schemas{"data": inline(update)}, "data"))
	b.schema(k + ".update").Description = fmt.Sprintf("The request document that updates a %q resource.", s.Type)
	if s.Bulk {
		b.bulkSchemas(t, typeEnum, writable)
	}
}

// bulkSchemas defines the request document of a bulk PATCH of t: a type,
// no id, attributes and the writable to-one relationships.
func (b *builder) bulkSchemas(t *typeInfo, typeEnum *openapi3.SchemaRef, writable openapi3.Schemas) {
	k := t.key
	bulk := object(openapi3.Schemas{
		"type":       typeEnum,
		"attributes": b.ref(k + ".attributes"),
	}, "type")
	bulk.Description = "The members to change in every resource the filters select; it has no id. To-many relationships cannot be changed in bulk (403)."
	toOne := openapi3.Schemas{}
	for _, ri := range t.rels {
		if w, ok := writable[ri.rel.Name]; ok && ri.rel.Kind == resource.ToOne {
			toOne[ri.rel.Name] = w
		}
	}
	if len(toOne) > 0 {
		bulk.Properties["relationships"] = inline(closed(object(toOne)))
	}
	b.define(k+".bulk", object(openapi3.Schemas{"data": inline(bulk)}, "data"))
	b.schema(k + ".bulk").Description = fmt.Sprintf("The request document of a bulk change of %q resources.", t.schema.Type)
}

// bulkResult returns the component name of the document answering a bulk
// change, defining it on first use.
func (b *builder) bulkResult() string {
	n := b.name("schemas", "BulkResult")
	if _, ok := b.doc.Components.Schemas[n]; ok {
		return n
	}
	count := func(desc string) *openapi3.SchemaRef {
		return inline(&openapi3.Schema{Type: types("integer"), Format: "int64", Min: ptr(0.0), Description: desc})
	}
	b.define(n, object(openapi3.Schemas{
		"meta": inline(object(openapi3.Schemas{
			"num_modified": count("The number of resources a bulk PATCH changed."),
			"num_deleted":  count("The number of resources a bulk DELETE deleted or deactivated."),
		})),
		"jsonapi": b.ref("JSONAPI"),
	}, "meta"))
	b.schema(n).Description = "The answer to a bulk change: how many resources changed."
	return n
}

// relationshipSchemas defines the linkage components of one relationship.
func (b *builder) relationshipSchemas(t *typeInfo, ri *relInfo) {
	rel := ri.rel
	ident := b.identifier(rel.Type)
	if rel.Kind == resource.ToOne {
		b.define(ri.key+".linkage", &openapi3.Schema{
			Description: fmt.Sprintf("The linkage of the to-one relationship %q: an identifier of a %q resource, or null.", rel.Name, rel.Type),
			OneOf:       openapi3.SchemaRefs{ident, inline(nullSchema())},
		})
	} else {
		item := ident
		if rel.Kind == resource.ManyToMany && len(rel.JoinAttributes) > 0 {
			meta := openapi3.Schemas{}
			for i := range rel.JoinAttributes {
				a := &rel.JoinAttributes[i]
				ms := valueSchema(a.Type)
				if a.ReadOnly {
					ms.ReadOnly = true
				}
				meta[a.Name] = inline(ms)
			}
			item = inline(&openapi3.Schema{AllOf: openapi3.SchemaRefs{ident,
				inline(object(openapi3.Schemas{"meta": inline(closed(object(meta)))}))}})
			item.Value.Description = "A member, with the join table's columns as meta."
		}
		l := array(item)
		l.Description = fmt.Sprintf("The linkage of the to-many relationship %q: identifiers of %q resources.", rel.Name, rel.Type)
		b.define(ri.key+".linkage", l)
	}
	b.define(ri.key+".linkageRequest", object(openapi3.Schemas{"data": b.ref(ri.key + ".linkage")}, "data"))
	b.schema(ri.key + ".linkageRequest").Description = fmt.Sprintf("The request document that sets or changes the linkage of %q.", rel.Name)
	doc := object(openapi3.Schemas{
		"data":    b.ref(ri.key + ".linkage"),
		"links":   b.ref("PageLinks"),
		"jsonapi": b.ref("JSONAPI"),
	}, "data")
	if rel.Kind != resource.ToOne {
		doc.Properties["meta"] = inline(object(openapi3.Schemas{
			"total": inline(&openapi3.Schema{Type: types("integer"), Format: "int64", Description: "The number of members the filters select; absent with cursor pagination."}),
		}))
	}
	doc.Description = fmt.Sprintf("The linkage document of %q.", rel.Name)
	b.define(ri.key+".linkageDocument", doc)
}

// resourceUnion defines Resource: any served type's resource object.
func (b *builder) resourceUnion() {
	s := &openapi3.Schema{Description: "A resource object of any type the API serves."}
	for _, t := range b.order {
		s.OneOf = append(s.OneOf, b.ref(t.key))
	}
	if len(s.OneOf) == 0 {
		s.Type = types("object")
	}
	b.define("Resource", s)
}
