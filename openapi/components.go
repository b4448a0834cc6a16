package openapi

import (
	"fmt"
	"strings"

	"github.com/gorestless/restless/resource"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/query"
)

// schema returns the component schema called name, creating it empty.
func (b *builder) schema(name string) *openapi3.Schema {
	if r, ok := b.doc.Components.Schemas[name]; ok {
		return r.Value
	}
	s := &openapi3.Schema{}
	b.doc.Components.Schemas[name] = &openapi3.SchemaRef{Value: s}
	return s
}

// define fills the component schema called name with s.
func (b *builder) define(name string, s *openapi3.Schema) {
	*b.schema(name) = *s
}

// ref returns a reference to the component schema called name.
func (b *builder) ref(name string) *openapi3.SchemaRef {
	return &openapi3.SchemaRef{Ref: "#/components/schemas/" + name, Value: b.schema(name)}
}

func types(ts ...string) *openapi3.Types {
	t := openapi3.Types(ts)
	return &t
}

func inline(s *openapi3.Schema) *openapi3.SchemaRef { return &openapi3.SchemaRef{Value: s} }

func stringSchema(desc string) *openapi3.Schema {
	return &openapi3.Schema{Type: types("string"), Description: desc}
}

func uriSchema(desc string) *openapi3.Schema {
	return &openapi3.Schema{Type: types("string"), Format: "uri", Description: desc}
}

func nullableURI(desc string) *openapi3.Schema {
	return &openapi3.Schema{Type: types("string", "null"), Format: "uri", Description: desc}
}

func nullSchema() *openapi3.Schema { return &openapi3.Schema{Type: types("null")} }

func object(props openapi3.Schemas, required ...string) *openapi3.Schema {
	return &openapi3.Schema{Type: types("object"), Properties: props, Required: required}
}

func array(items *openapi3.SchemaRef) *openapi3.Schema {
	return &openapi3.Schema{Type: types("array"), Items: items}
}

func closed(s *openapi3.Schema) *openapi3.Schema {
	no := false
	s.AdditionalProperties = openapi3.AdditionalProperties{Has: &no}
	return s
}

func openMap(values *openapi3.SchemaRef) *openapi3.Schema {
	s := &openapi3.Schema{Type: types("object")}
	s.AdditionalProperties = openapi3.AdditionalProperties{Schema: values}
	return s
}

// valueSchema returns the schema of an attribute's values: every
// attribute may be null.
func valueSchema(t resource.ValueType) *openapi3.Schema {
	switch t {
	case resource.Integer:
		return &openapi3.Schema{Type: types("integer", "null"), Format: "int64"}
	case resource.Float:
		return &openapi3.Schema{Type: types("number", "null"), Format: "double"}
	case resource.Boolean:
		return &openapi3.Schema{Type: types("boolean", "null")}
	case resource.Date:
		return &openapi3.Schema{Type: types("string", "null"), Format: "date",
			Description: "A calendar date, YYYY-MM-DD. Writes also accept CURRENT_DATE, CURRENT_TIMESTAMP and LOCALTIMESTAMP, evaluated by the database."}
	case resource.Timestamp:
		return &openapi3.Schema{Type: types("string", "null"), Format: "date-time",
			Description: "An RFC 3339 instant, in UTC. Writes also accept CURRENT_TIMESTAMP, CURRENT_DATE and LOCALTIMESTAMP, evaluated by the database."}
	case resource.JSON:
		return &openapi3.Schema{Description: "Any JSON value."}
	case resource.UUID:
		return &openapi3.Schema{Type: types("string", "null"), Format: "uuid"}
	}
	return &openapi3.Schema{Type: types("string", "null")}
}

// attributeSchema returns the schema of an attribute: read-only when
// clients may not write it (a computed attribute, say), write-only when
// documents never show it.
func attributeSchema(a *resource.Attribute) *openapi3.Schema {
	s := valueSchema(a.Type)
	s.ReadOnly, s.WriteOnly = !a.Writable(), !a.Readable()
	if s.ReadOnly {
		s.Description = strings.TrimSpace(s.Description + " Read-only: a write that sets it is refused with 403.")
	}
	if s.WriteOnly {
		s.Description = strings.TrimSpace(s.Description + " Write-only: it never appears in responses.")
	}
	return s
}

// idSchema returns the schema of t's ids.
func idSchema(s *resource.Schema) *openapi3.Schema {
	if s.ID.Type == resource.Integer {
		return &openapi3.Schema{Type: types("string"), Pattern: `^(0|-?[1-9][0-9]*)$`,
			Description: "A decimal 64-bit integer, as a string."}
	}
	return &openapi3.Schema{Type: types("string"), MinLength: 1}
}

// shared defines the components every document has.
func (b *builder) shared() {
	c := b.doc.Components
	n := func(s string) string { return b.name("schemas", s) }

	// Resource is defined once every type's schemas are: reserve its name.
	n("Resource")
	b.define(n("Meta"), &openapi3.Schema{Type: types("object"), Description: "Non-standard meta-information."})
	b.define(n("JSONAPI"), object(openapi3.Schemas{
		"version": inline(&openapi3.Schema{Type: types("string"), Enum: []any{"1.1"}}),
		"ext":     inline(array(inline(uriSchema("")))),
		"profile": inline(array(inline(uriSchema("")))),
		"meta":    b.ref("Meta"),
	}, "version"))
	b.define(n("Links"), openMap(inline(nullableURI(""))))
	b.schema("Links").Description = "Links by name; restless writes every link as an absolute URL."
	b.define(n("PageLinks"), object(openapi3.Schemas{
		"self":    inline(uriSchema("This page.")),
		"related": inline(uriSchema("The related resources, on a relationship's linkage.")),
		"first":   inline(uriSchema("The first page.")),
		"last":    inline(uriSchema("The last page; absent with cursor pagination.")),
		"prev":    inline(nullableURI("The previous page; absent or null when there is none.")),
		"next":    inline(nullableURI("The next page; absent or null when there is none.")),
	}))
	errSource := closed(object(openapi3.Schemas{
		"pointer":   inline(&openapi3.Schema{Type: types("string"), Format: "json-pointer", Description: "A JSON Pointer (RFC 6901) to the member of the request document at fault."}),
		"parameter": inline(stringSchema("The query parameter at fault.")),
		"header":    inline(stringSchema("The request header at fault.")),
	}))
	b.define(n("Error"), object(openapi3.Schemas{
		"id": inline(stringSchema("The id of this occurrence: the request id.")),
		"links": inline(object(openapi3.Schemas{
			"about": inline(uriSchema("")),
			"type":  inline(uriSchema("The kind of problem, such as a profile's error type.")),
		})),
		"status": inline(&openapi3.Schema{Type: types("string"), Pattern: `^[1-5][0-9][0-9]$`, Description: "The HTTP status code."}),
		"code":   inline(stringSchema("An application-specific error code.")),
		"title":  inline(stringSchema("A short summary of the kind of problem.")),
		"detail": inline(stringSchema("This occurrence of the problem, explained.")),
		"source": inline(errSource),
		"meta":   b.ref("Meta"),
	}))
	errs := array(b.ref("Error"))
	errs.MinItems = 1
	b.define(n("Errors"), object(openapi3.Schemas{
		"errors":  inline(errs),
		"jsonapi": b.ref("JSONAPI"),
		"meta":    b.ref("Meta"),
		"links":   b.ref("Links"),
	}, "errors"))
	b.schema("Errors").Description = "A JSON:API error document."

	// The filter objects of filter[objects] and q.
	ops := []any{}
	for _, op := range []string{"==", "eq", "equals", "equal_to", "!=", "ne", "neq", "not_equal_to", "does_not_equal",
		">", "gt", "<", "lt", ">=", "ge", "gte", "geq", "<=", "le", "lte", "leq", "in", "not_in",
		"is_null", "is_not_null", "like", "ilike", "not_like", "has", "any"} {
		ops = append(ops, op)
	}
	filter := n("Filter")
	filters := array(b.ref(filter))
	b.define(filter, &openapi3.Schema{
		Description: "A Flask-Restless filter object: a comparison of a field with a value (val) or another field (field); " +
			"has and any follow a to-one or to-many relationship with a filter object as val; or, and and not combine filters.",
		OneOf: openapi3.SchemaRefs{
			inline(closed(object(openapi3.Schemas{
				"name":  inline(stringSchema("A field (id or an attribute) or, with has and any, a relationship.")),
				"op":    inline(&openapi3.Schema{Type: types("string"), Enum: ops}),
				"val":   inline(&openapi3.Schema{Description: "The value compared with: a list for in and not_in, a filter object for has and any."}),
				"field": inline(stringSchema("Another field of the same resource, compared with instead of val.")),
			}, "name", "op"))),
			inline(closed(object(openapi3.Schemas{"or": inline(filters)}, "or"))),
			inline(closed(object(openapi3.Schemas{"and": inline(filters)}, "and"))),
			inline(closed(object(openapi3.Schemas{"not": b.ref(filter)}, "not"))),
		},
	})
	b.define(n("Function"), closed(object(openapi3.Schemas{
		"name":  inline(&openapi3.Schema{Type: types("string"), Enum: []any{"count", "sum", "avg", "min", "max", "count_distinct"}}),
		"field": inline(stringSchema("The field evaluated: id or an attribute.")),
	}, "name", "field")))
	fns := array(b.ref("Function"))
	fns.MaxItems = ptr(uint64(query.MaxFunctions))
	order := closed(object(openapi3.Schemas{
		"field":     inline(stringSchema("")),
		"direction": inline(&openapi3.Schema{Type: types("string"), Enum: []any{"asc", "desc"}}),
	}, "field"))
	b.define(n("Search"), closed(object(openapi3.Schemas{
		"filters":     inline(array(b.ref("Filter"))),
		"disjunction": inline(&openapi3.Schema{Type: types("boolean"), Description: "Join the filters with OR instead of AND."}),
		"order_by":    inline(array(inline(order))),
		"limit":       inline(&openapi3.Schema{Type: types("integer"), Min: ptr(1.0)}),
		"offset":      inline(&openapi3.Schema{Type: types("integer"), Min: ptr(0.0)}),
		"single":      inline(&openapi3.Schema{Type: types("boolean")}),
		"functions":   inline(fns),
	})))
	b.schema("Search").Description = "The Flask-Restless 0.17 search. Collections take filters, disjunction, order_by, limit, offset and single; evaluation takes filters, disjunction and functions."

	b.define(n("Root"), object(openapi3.Schemas{
		"data": inline(nullSchema()),
		"links": inline(&openapi3.Schema{
			Type: types("object"),
			Properties: openapi3.Schemas{
				"self":        inline(uriSchema("The root.")),
				"describedby": inline(uriSchema("This OpenAPI document.")),
			},
			AdditionalProperties: openapi3.AdditionalProperties{Schema: inline(uriSchema("A collection, by type."))},
		}),
		"meta": inline(object(openapi3.Schemas{
			"modelinfo": inline(openMap(inline(object(openapi3.Schemas{
				"primarykey": inline(stringSchema("The primary-key column.")),
				"url":        inline(uriSchema("The collection.")),
			})))),
			"operations": inline(object(openapi3.Schemas{
				"url":       inline(uriSchema("The Atomic Operations endpoint.")),
				"mediaType": inline(stringSchema("The media type its requests and responses have.")),
			})),
		})),
		"jsonapi": b.ref("JSONAPI"),
	}, "data"))
	b.schema("Root").Description = "The root document: data is null, links lead to each collection, meta.modelinfo describes each type and meta.operations names the Atomic Operations endpoint."
	str := func(desc string) *openapi3.SchemaRef { return inline(stringSchema(desc)) }
	b.define(n("AtomicOperations"), object(openapi3.Schemas{
		"atomic:operations": inline(array(inline(object(openapi3.Schemas{
			"op": inline(&openapi3.Schema{Type: types("string"), Enum: []any{"add", "update", "remove"}}),
			"ref": inline(object(openapi3.Schemas{
				"type":         str("The target's type."),
				"id":           str("The target's id."),
				"lid":          str("The lid an earlier add gave the target."),
				"relationship": str("The target's relationship, for a relationship operation."),
			}, "type")),
			"data": inline(&openapi3.Schema{Description: "A resource object (add, update) or a linkage (relationship operations); identifiers may carry a lid instead of an id."}),
			"meta": b.ref("Meta"),
		}, "op")))),
		"meta":    b.ref("Meta"),
		"jsonapi": b.ref("JSONAPI"),
	}, "atomic:operations"))
	b.schema("AtomicOperations").Description = "An Atomic Operations request (https://jsonapi.org/ext/atomic)."
	b.define(n("AtomicResults"), object(openapi3.Schemas{
		"atomic:results": inline(array(inline(object(openapi3.Schemas{
			"data": b.ref("Resource"),
			"meta": b.ref("Meta"),
		})))),
		"jsonapi": b.ref("JSONAPI"),
	}, "atomic:results"))
	b.schema("AtomicResults").Description = "The results of an Atomic Operations request, one per operation in order: the resource of an add or update, {} otherwise."
	b.define(n("Evaluation"), object(openapi3.Schemas{
		"data":    inline(nullSchema()),
		"links":   inline(object(openapi3.Schemas{"self": inline(uriSchema(""))})),
		"meta":    inline(openMap(inline(&openapi3.Schema{Description: "A function's result: a number, or the field's value for min and max; null over no rows."}))),
		"jsonapi": b.ref("JSONAPI"),
	}, "data"))
	b.schema("Evaluation").Description = `The results of function evaluation: meta maps keys such as "sum__age" to results.`

	// Headers.
	hdr := func(name, desc string, s *openapi3.Schema) {
		c.Headers[name] = &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{Description: desc, Schema: inline(s)}}}
	}
	hdr("ETag", "The strong entity tag of the document.", stringSchema(""))
	hdr("Location", "The new resource.", uriSchema(""))
	hdr("Allow", "The methods the endpoint supports.", stringSchema(""))
	hdr("Retry-After", "Seconds to wait before trying again.", &openapi3.Schema{Type: types("integer"), Min: ptr(0.0)})

	// Error responses.
	errResp := func(name, desc string, headers ...string) {
		r := &openapi3.Response{Description: &desc,
			Content: openapi3.Content{mediaType: &openapi3.MediaType{Schema: b.ref("Errors")}}}
		for _, h := range headers {
			if r.Headers == nil {
				r.Headers = openapi3.Headers{}
			}
			r.Headers[h] = &openapi3.HeaderRef{Ref: "#/components/headers/" + h, Value: c.Headers[h].Value}
		}
		c.Responses[name] = &openapi3.ResponseRef{Value: r}
	}
	errResp("BadRequest", "Bad Request: a query parameter (source.parameter) or the request document (source.pointer) is invalid.")
	errResp("Forbidden", "Forbidden: the server refuses the change, such as a read-only attribute or relationship, a client-generated id or a write hook's refusal.")
	errResp("NotFound", "Not Found: the resource, or a related resource named in the request, does not exist or may not be seen.")
	errResp("MethodNotAllowed", "Method Not Allowed: the resource refuses the operation at run time.", "Allow")
	errResp("NotAcceptable", "Not Acceptable: Accept allows no JSON:API media type the server can send.")
	errResp("Conflict", "Conflict: the type or id does not match the endpoint, the id is taken, or the database refuses the change.")
	errResp("PreconditionFailed", "Precondition Failed: the resource changed since the entity tag in If-Match was issued.")
	errResp("ContentTooLarge", fmt.Sprintf("Content Too Large: the request body is larger than %d bytes.", b.maxBody()))
	errResp("UnsupportedMediaType", "Unsupported Media Type: a request body's Content-Type is not application/vnd.api+json, or has parameters other than ext and profile.")
	errResp("InternalServerError", "Internal Server Error: the cause is logged, never sent.")
	errResp("ServiceUnavailable", "Service Unavailable: the database is busy or the request took too long; try again.", "Retry-After")
	nm := "Not Modified: If-None-Match lists the document's entity tag."
	c.Responses["NotModified"] = &openapi3.ResponseRef{Value: &openapi3.Response{Description: &nm,
		Headers: openapi3.Headers{"ETag": &openapi3.HeaderRef{Ref: "#/components/headers/ETag", Value: c.Headers["ETag"].Value}}}}

	// Parameters every collection takes.
	maxSize := b.api.MaxPageSize
	if maxSize <= 0 {
		maxSize = query.DefaultMaxPage
	}
	size := b.api.PageSize
	if size <= 0 {
		size = query.DefaultPageSize
	}
	intParam := func(key, name, desc string, min, def int, max *float64) {
		s := &openapi3.Schema{Type: types("integer"), Min: ptr(float64(min)), Max: max, Default: def}
		b.param(key, &openapi3.Parameter{Name: name, In: "query", Description: desc, Schema: inline(s)})
	}
	largest := ptr(float64(maxSize))
	intParam("page.number", "page[number]", "The page number, from 1, of page-based pagination.", 1, 1, nil)
	intParam("page.size", "page[size]", fmt.Sprintf("The page size (at most %d) of page-based or cursor pagination.", maxSize), 1, size, largest)
	intParam("page.offset", "page[offset]", "The index of the first resource, from 0, of offset-based pagination; not with page[number] or page[size].", 0, 0, nil)
	intParam("page.limit", "page[limit]", fmt.Sprintf("The page size (at most %d) of offset-based pagination.", maxSize), 1, size, largest)
	cursor := " The cursor pagination profile (https://jsonapi.org/profiles/ethanresnick/cursor-pagination) applies, also when Accept names it as a profile; page[number], page[offset] and page[limit] are then refused and no total is counted."
	b.param("page.after", &openapi3.Parameter{Name: "page[after]", In: "query", Schema: inline(stringSchema("")),
		Description: "The cursor of the resource the page starts after." + cursor})
	b.param("page.before", &openapi3.Parameter{Name: "page[before]", In: "query", Schema: inline(stringSchema("")),
		Description: "The cursor of the resource the page ends before; not with page[after]." + cursor})
	b.param("filter.objects", &openapi3.Parameter{Name: "filter[objects]", In: "query",
		Description: `A JSON list of filter objects, all of which a resource must meet, such as [{"name":"age","op":"ge","val":18}].`,
		Content:     openapi3.Content{"application/json": &openapi3.MediaType{Schema: inline(array(b.ref("Filter")))}}})
	b.param("filter.single", &openapi3.Parameter{Name: "filter[single]", In: "query",
		Description: "1 or true answers the one matching resource object instead of a list: 404 when none matches, 400 when several do.",
		Schema:      inline(&openapi3.Schema{Type: types("string"), Enum: []any{"1", "0", "true", "false"}})})
	b.param("q", &openapi3.Parameter{Name: "q", In: "query",
		Description: "The Flask-Restless 0.17 search, as JSON; a documented exception to JSON:API's reserved lowercase names.",
		Content:     openapi3.Content{"application/json": &openapi3.MediaType{Schema: b.ref("Search")}}})
	b.param("functions", &openapi3.Parameter{Name: "functions", In: "query",
		Description: `A JSON list of functions to evaluate over the filtered resources, such as [{"name":"sum","field":"age"}].`,
		Content:     openapi3.Content{"application/json": &openapi3.MediaType{Schema: inline(fns)}}})
	b.param("If-None-Match", &openapi3.Parameter{Name: "If-None-Match", In: "header", Schema: inline(stringSchema("")),
		Description: "Entity tags; a 200 response whose tag is listed becomes 304 without a body."})
	b.param("If-Match", &openapi3.Parameter{Name: "If-Match", In: "header", Schema: inline(stringSchema("")),
		Description: "Entity tags of a GET of the resource (without query parameters); the write is refused with 412 unless the current tag is listed."})
}

func ptr[T any](v T) *T { return &v }

func (b *builder) maxBody() int64 {
	if b.api.MaxBodyBytes > 0 {
		return b.api.MaxBodyBytes
	}
	return restless.DefaultMaxBodyBytes
}
