// Package openapi describes a restless API as an OpenAPI 3.1 document,
// built with github.com/getkin/kin-openapi from the route table the API
// serves ([restless.API.Routes]): every endpoint with its methods, the
// query parameters each one takes, the JSON:API documents it reads and
// writes (resource objects with typed attributes and relationship
// linkage), and the error responses its handlers emit.
//
// Serve the document at {Prefix}/openapi.json, where the root endpoint
// links to it as "describedby":
//
//	h, err := openapi.Handler(api, person, computer)
//	api.Description = h
//	root, err := api.Handler(person, computer)
package openapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/query"
)

// version is the OpenAPI version of the documents: kin-openapi validates
// 3.1 documents with JSON Schema 2020-12 semantics.
const version = "3.1.0"

// mediaType is the JSON:API media type every endpoint but the description
// speaks.
const mediaType = "application/vnd.api+json"

// contentType is the media type of the document Handler serves.
const contentType = "application/vnd.oai.openapi+json;version=3.1"

// Document builds the OpenAPI description of the endpoints api serves for
// res (the same arguments as api.Handler). It reads the route table from
// api.Routes, so it lists the same endpoints; {Prefix}/openapi.json is
// listed when api.Description is set. The document is checked with
// kin-openapi's validator before it is returned.
func Document(api *restless.API, res ...resource.Resource) (*openapi3.T, error) {
	return build(api, res, api.Description != nil)
}

// Handler serves the OpenAPI description of the endpoints api serves for
// res (the same arguments as api.Handler), built once, as JSON with the
// Content-Type application/vnd.oai.openapi+json;version=3.1 and a strong
// ETag. GET and HEAD are answered (304 when If-None-Match lists the tag),
// OPTIONS with Allow, and other methods with a 405 error document. The
// document lists {Prefix}/openapi.json itself, since the handler is meant
// to be the API's Description. Build it before setting api.Description:
//
//	h, err := openapi.Handler(api, person, computer)
//	api.Description = h
func Handler(api *restless.API, res ...resource.Resource) (http.Handler, error) {
	doc, err := build(api, res, true)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi: encode the document: %w", err)
	}
	body = append(body, '\n')
	sum := sha256.Sum256(body)
	return &handler{body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}, nil
}

// handler serves one encoded document.
type handler struct {
	body []byte
	etag string
}

const allow = "GET, HEAD, OPTIONS"

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		w.Header().Set("Allow", allow)
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		w.Header().Set("Allow", allow)
		restless.WriteError(w, r, &jsonapi.Error{Status: http.StatusMethodNotAllowed, Title: "Method Not Allowed",
			Detail: fmt.Sprintf("This endpoint does not support %s; it supports %s.", r.Method, allow)})
		return
	}
	hd := w.Header()
	hd.Set("ETag", h.etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && matches(inm, h.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Type", contentType)
	hd.Set("Content-Length", strconv.Itoa(len(h.body)))
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(h.body)
	}
}

// matches reports whether an If-None-Match value lists tag, comparing
// weakly as RFC 9110 requires.
func matches(header, tag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}

// typeInfo is what the builder knows of one served type.
type typeInfo struct {
	schema *resource.Schema
	// key is the component name of the resource object; the type's other
	// components start with it.
	key string
	// updatable says the item route answers PATCH, so relationships may
	// change.
	updatable bool
	rels      []*relInfo
}

// relInfo is one relationship of a served type.
type relInfo struct {
	rel    *resource.Relationship
	key    string    // component name prefix, such as "person.computers"
	target *typeInfo // nil when the API does not serve the related type
}

type builder struct {
	api   *restless.API
	doc   *openapi3.T
	types map[string]*typeInfo
	order []*typeInfo
	// names holds the component names given out, per section.
	names map[string]map[string]bool
	// given maps a section and the raw parts of a name to the name given.
	given map[string]string
}

func build(api *restless.API, res []resource.Resource, description bool) (*openapi3.T, error) {
	routes, err := api.Routes(res...)
	if err != nil {
		return nil, err
	}
	b := &builder{api: api, types: map[string]*typeInfo{}, names: map[string]map[string]bool{}, given: map[string]string{}}
	b.doc = &openapi3.T{
		OpenAPI: version,
		Info: &openapi3.Info{
			Title:       "restless API",
			Version:     "1.0",
			Description: b.description(),
		},
		Paths: openapi3.NewPaths(),
		Components: &openapi3.Components{
			Schemas:    openapi3.Schemas{},
			Parameters: openapi3.ParametersMap{},
			Headers:    openapi3.Headers{},
			Responses:  openapi3.ResponseBodies{},
		},
	}
	if api.BaseURL != "" {
		b.doc.Servers = openapi3.Servers{{URL: strings.TrimSuffix(api.BaseURL, "/")}}
	}

	// The types first: schemas refer to each other across types.
	for _, rt := range routes {
		if rt.Resource == nil {
			continue
		}
		s := rt.Resource.Schema()
		t, ok := b.types[s.Type]
		if !ok {
			t = &typeInfo{schema: s}
			b.types[s.Type] = t
			b.order = append(b.order, t)
		}
		if rt.Kind == restless.ItemRoute && slices.Contains(rt.Methods, http.MethodPatch) {
			t.updatable = true
		}
	}
	b.shared()
	for _, t := range b.order {
		t.key = b.name("schemas", t.schema.Type)
		for i := range t.schema.Relationships {
			rel := &t.schema.Relationships[i]
			t.rels = append(t.rels, &relInfo{rel: rel, key: b.name("schemas", t.schema.Type, rel.Name)})
		}
	}
	for _, t := range b.order {
		for _, ri := range t.rels {
			ri.target = b.types[ri.rel.Type]
		}
	}
	for _, t := range b.order {
		b.typeSchemas(t)
	}
	b.resourceUnion()

	root := strings.TrimSuffix(api.Prefix, "/")
	described := false
	for _, rt := range routes {
		switch rt.Kind {
		case restless.RootRoute:
			b.rootPath(rt)
		case restless.DescriptionRoute:
			described = true
			b.descriptionPath(rt.Pattern, rt.Methods)
		case restless.CollectionRoute:
			b.collectionPath(rt)
		case restless.ItemRoute:
			b.itemPath(rt)
		case restless.RelatedRoute:
			b.relatedPaths(rt)
		case restless.RelationshipRoute:
			b.relationshipPaths(rt)
		case restless.EvalRoute:
			b.evalPath(rt)
		case restless.JobRoute:
			b.jobPath(rt)
		case restless.OperationsRoute:
			b.operationsPath(rt)
		default:
			return nil, fmt.Errorf("openapi: route %s has a kind (%d) this package does not know", rt.Pattern, rt.Kind)
		}
	}
	if description && !described {
		b.descriptionPath(root+"/openapi.json", []string{http.MethodGet, http.MethodHead, http.MethodOptions})
	}
	b.doc.Tags = append(openapi3.Tags{{Name: "API", Description: "The root and the description of the API."}}, b.tags()...)

	for name, s := range b.doc.Components.Schemas {
		if s.Value == nil || s.Value.IsEmpty() {
			return nil, fmt.Errorf("openapi: internal error: the schema %q is empty", name)
		}
	}
	if err := b.doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi: the document does not validate: %w", err)
	}
	return b.doc, nil
}

// name returns a component name in section made of parts, unique in the
// section and made only of the characters OpenAPI allows in one.
func (b *builder) name(section string, parts ...string) string {
	raw := section + "\x00" + strings.Join(parts, "\x00")
	if n, ok := b.given[raw]; ok {
		return n
	}
	clean := make([]string, len(parts))
	for i, p := range parts {
		clean[i] = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
				return r
			}
			return '_'
		}, p)
		if clean[i] == "" {
			clean[i] = "_"
		}
	}
	base := strings.Join(clean, ".")
	used := b.names[section]
	if used == nil {
		used = map[string]bool{}
		b.names[section] = used
	}
	n := base
	for i := 2; used[n]; i++ {
		n = base + "_" + strconv.Itoa(i)
	}
	used[n] = true
	b.given[raw] = n
	return n
}

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

// param defines the component parameter key, which the names of the
// types' parameters then avoid.
func (b *builder) param(key string, p *openapi3.Parameter) {
	if b.names["parameters"] == nil {
		b.names["parameters"] = map[string]bool{}
	}
	b.names["parameters"][key] = true
	b.doc.Components.Parameters[key] = &openapi3.ParameterRef{Value: p}
}

// paramRef refers to the component parameter key.
func (b *builder) paramRef(key string) *openapi3.ParameterRef {
	return &openapi3.ParameterRef{Ref: "#/components/parameters/" + key, Value: b.doc.Components.Parameters[key].Value}
}

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

func (b *builder) tags() openapi3.Tags {
	var out openapi3.Tags
	for _, t := range b.order {
		out = append(out, &openapi3.Tag{Name: t.schema.Type, Description: fmt.Sprintf("The %q resources at /%s.", t.schema.Type, t.schema.CollectionPath())})
	}
	return out
}

func (b *builder) description() string {
	var d strings.Builder
	d.WriteString("A JSON:API 1.1 service (https://jsonapi.org/format/1.1/).\n\n")
	d.WriteString("**Content negotiation.** Every endpoint speaks application/vnd.api+json. A request with a body must send " +
		"Content-Type: application/vnd.api+json, with no media type parameters other than ext and profile (else 415). " +
		"Accept must allow application/vnd.api+json, directly or by a wildcard, with no parameters other than ext and profile " +
		"(else 406); responses carry Vary: Accept. Accept's profile parameter may ask for the cursor pagination profile. " +
		"The Atomic Operations endpoint (operations) is the one endpoint that takes an extension: its requests and responses are " +
		atomicMediaType + ", which the other endpoints refuse (415, 406).\n\n")
	d.WriteString("**Methods.** Every GET is also answered to HEAD, and every endpoint to OPTIONS with Allow. " +
		"Other methods get 405 with Allow, and unknown paths 404, both as error documents.\n\n")
	d.WriteString("**Errors** are JSON:API error documents with a status, a title, a detail and, where one applies, " +
		"source.pointer, source.parameter or source.header; the id is the request id.\n\n")
	d.WriteString("**Caching.** A 200 response to GET carries a strong ETag; If-None-Match turns it into 304. " +
		"PATCH and DELETE of a resource honour If-Match (412).\n\n")
	depth, paths := b.api.IncludeDepth, b.api.IncludePaths
	if depth <= 0 {
		depth = query.DefaultIncludeDepth
	}
	if paths <= 0 {
		paths = query.DefaultIncludePaths
	}
	maxIncluded := b.api.MaxIncluded
	if maxIncluded <= 0 {
		maxIncluded = restless.DefaultMaxIncluded
	}
	fmt.Fprintf(&d, "**Query parameters** are checked against the schema: an unknown or malformed one is a 400 whose source.parameter names it. "+
		"include takes at most %d paths of at most %d relationships and yields at most %d included resources. "+
		"The lowercase q, functions and callback are accepted as exceptions, for Flask-Restless clients.", paths, depth, maxIncluded)
	return d.String()
}

// path converts a ServeMux pattern to an OpenAPI path, escaping its
// literal segments.
func path(pattern string) string {
	if pattern == "/{$}" {
		return "/"
	}
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			segs[i] = url.PathEscape(s)
		}
	}
	return strings.Join(segs, "/")
}

// item returns the path item at p, creating it.
func (b *builder) item(p string) *openapi3.PathItem {
	if it := b.doc.Paths.Value(p); it != nil {
		return it
	}
	it := &openapi3.PathItem{}
	b.doc.Paths.Set(p, it)
	return it
}

// methods returns the methods of ms that get an operation: all but HEAD
// and OPTIONS, which every GET and every endpoint answer.
func methods(ms []string) []string {
	var out []string
	for _, m := range ms {
		if m != http.MethodHead && m != http.MethodOptions {
			out = append(out, m)
		}
	}
	return out
}

// responses builds an operation's responses: the success ones, then the
// named error responses.
func (b *builder) responses(success map[int]*openapi3.Response, errs ...string) *openapi3.Responses {
	r := openapi3.NewResponses()
	codes := make([]int, 0, len(success))
	for c := range success {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		r.Set(strconv.Itoa(c), &openapi3.ResponseRef{Value: success[c]})
	}
	status := map[string]int{
		"NotModified": 304, "BadRequest": 400, "Forbidden": 403, "NotFound": 404, "MethodNotAllowed": 405,
		"NotAcceptable": 406, "Conflict": 409, "PreconditionFailed": 412, "ContentTooLarge": 413,
		"UnsupportedMediaType": 415, "InternalServerError": 500, "ServiceUnavailable": 503,
	}
	for _, e := range errs {
		r.Set(strconv.Itoa(status[e]), &openapi3.ResponseRef{Ref: "#/components/responses/" + e, Value: b.doc.Components.Responses[e].Value})
	}
	return r
}

// ok returns a response with a JSON:API document of the schema name.
func (b *builder) ok(desc, name string, headers ...string) *openapi3.Response {
	r := &openapi3.Response{Description: &desc, Content: openapi3.Content{mediaType: &openapi3.MediaType{Schema: b.ref(name)}}}
	for _, h := range headers {
		if r.Headers == nil {
			r.Headers = openapi3.Headers{}
		}
		r.Headers[h] = &openapi3.HeaderRef{Ref: "#/components/headers/" + h, Value: b.doc.Components.Headers[h].Value}
	}
	return r
}

func noContent(desc string) *openapi3.Response { return &openapi3.Response{Description: &desc} }

// The error responses of each kind of operation.
var (
	readErrors   = []string{"NotModified", "BadRequest", "NotFound", "NotAcceptable", "InternalServerError", "ServiceUnavailable"}
	createErrors = []string{"BadRequest", "Forbidden", "NotFound", "MethodNotAllowed", "NotAcceptable", "Conflict", "ContentTooLarge", "UnsupportedMediaType", "InternalServerError", "ServiceUnavailable"}
	updateErrors = []string{"BadRequest", "Forbidden", "NotFound", "NotAcceptable", "Conflict", "PreconditionFailed", "ContentTooLarge", "UnsupportedMediaType", "InternalServerError", "ServiceUnavailable"}
	deleteErrors = []string{"BadRequest", "Forbidden", "NotFound", "MethodNotAllowed", "NotAcceptable", "Conflict", "PreconditionFailed", "InternalServerError", "ServiceUnavailable"}
	bulkErrors   = []string{"BadRequest", "Forbidden", "NotFound", "MethodNotAllowed", "NotAcceptable", "Conflict", "PreconditionFailed", "ContentTooLarge", "UnsupportedMediaType", "InternalServerError", "ServiceUnavailable"}
	linkErrors   = []string{"BadRequest", "Forbidden", "NotFound", "NotAcceptable", "Conflict", "ContentTooLarge", "UnsupportedMediaType", "InternalServerError", "ServiceUnavailable"}
)

func (b *builder) body(desc, name string) *openapi3.RequestBodyRef {
	return &openapi3.RequestBodyRef{Value: &openapi3.RequestBody{Description: desc, Required: true,
		Content: openapi3.Content{mediaType: &openapi3.MediaType{Schema: b.ref(name)}}}}
}

func (b *builder) rootPath(rt restless.Route) {
	it := b.item(path(rt.Pattern))
	for _, m := range methods(rt.Methods) {
		if m != http.MethodGet {
			continue
		}
		it.SetOperation(m, &openapi3.Operation{
			Tags: []string{"API"}, OperationID: "root", Summary: "The API's root",
			Description: "Links to each collection and, as describedby, to this OpenAPI document; meta.modelinfo names each type's primary key and URL.",
			Parameters:  openapi3.Parameters{b.paramRef("If-None-Match")},
			Responses: b.responses(map[int]*openapi3.Response{200: b.ok("The root document.", "Root", "ETag")},
				"NotModified", "BadRequest", "NotAcceptable"),
		})
	}
}

func (b *builder) descriptionPath(pattern string, ms []string) {
	it := b.item(path(pattern))
	for _, m := range methods(ms) {
		if m != http.MethodGet {
			continue
		}
		desc := "This OpenAPI document."
		it.SetOperation(m, &openapi3.Operation{
			Tags: []string{"API"}, OperationID: "description", Summary: "The API's OpenAPI description",
			Description: "The describedby link of the root leads here. The document is not a JSON:API document, so JSON:API content negotiation does not apply to it.",
			Parameters:  openapi3.Parameters{b.paramRef("If-None-Match")},
			Responses: b.responses(map[int]*openapi3.Response{200: {Description: &desc,
				Content: openapi3.Content{contentType: &openapi3.MediaType{Schema: inline(&openapi3.Schema{Type: types("object")})}},
				Headers: openapi3.Headers{"ETag": &openapi3.HeaderRef{Ref: "#/components/headers/ETag", Value: b.doc.Components.Headers["ETag"].Value}}}},
				"NotModified"),
		})
	}
}

// idParam returns the path parameter id of t.
func idParam(t *typeInfo) *openapi3.ParameterRef {
	return &openapi3.ParameterRef{Value: &openapi3.Parameter{Name: "id", In: "path", Required: true,
		Description: fmt.Sprintf("The id of a %q resource; an id that cannot be one names no resource (404).", t.schema.Type),
		Schema:      inline(idSchema(t.schema))}}
}

// typeParam returns a component parameter of t, defining it with mk the
// first time.
func (b *builder) typeParam(t *typeInfo, mk func() *openapi3.Parameter, what ...string) *openapi3.ParameterRef {
	key := b.name("parameters", append([]string{t.schema.Type}, what...)...)
	if _, ok := b.doc.Components.Parameters[key]; !ok {
		b.param(key, mk())
	}
	return b.paramRef(key)
}

// listParam returns a query parameter whose value is a comma-separated
// list of items.
func listParam(name, desc string, items *openapi3.Schema) *openapi3.Parameter {
	return &openapi3.Parameter{Name: name, In: "query", Style: "form", Explode: ptr(false), Description: desc,
		Schema: inline(array(inline(items)))}
}

// fieldsParams returns fields[TYPE] for every served type.
func (b *builder) fieldsParams() openapi3.Parameters {
	var out openapi3.Parameters
	for _, t := range b.order {
		out = append(out, b.typeParam(t, func() *openapi3.Parameter {
			var names []any
			for _, a := range readable(t.schema) {
				names = append(names, a.Name)
			}
			for i := range t.schema.Relationships {
				names = append(names, t.schema.Relationships[i].Name)
			}
			items := stringSchema("")
			items.Enum = names
			return listParam("fields["+t.schema.Type+"]",
				fmt.Sprintf("The sparse fieldset of %q resources: the attributes and relationships to show, comma-separated; empty shows none.", t.schema.Type),
				items)
		}, "fields"))
	}
	return out
}

// includeParams returns include and withCount of t, when they apply.
func (b *builder) includeParams(t *typeInfo) openapi3.Parameters {
	var out openapi3.Parameters
	var names, toMany []string
	for _, ri := range t.rels {
		if ri.target == nil {
			continue
		}
		names = append(names, ri.rel.Name)
		if ri.rel.Kind != resource.ToOne {
			toMany = append(toMany, ri.rel.Name)
		}
	}
	if len(names) > 0 {
		out = append(out, b.typeParam(t, func() *openapi3.Parameter {
			return listParam("include",
				fmt.Sprintf("Relationship paths whose resources the response includes, comma-separated; "+
					"a path joins relationship names with dots, starting from %s.", strings.Join(quote(names), ", ")),
				&openapi3.Schema{Type: types("string"), Pattern: `^[^,.]+(\.[^,.]+)*$`})
		}, "include"))
	}
	if len(toMany) > 0 {
		out = append(out, b.typeParam(t, func() *openapi3.Parameter {
			items := stringSchema("")
			for _, n := range toMany {
				items.Enum = append(items.Enum, n)
			}
			return listParam("withCount",
				"To-many relationships whose size each resource object gives as relationships.NAME.meta.count.", items)
		}, "withCount"))
	}
	return out
}

func quote(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

// filterParams returns filter[objects] and the simple filter[NAME] of t.
func (b *builder) filterParams(t *typeInfo) openapi3.Parameters {
	out := openapi3.Parameters{b.paramRef("filter.objects")}
	simple := func(name, desc string, s *openapi3.Schema) {
		if name == "objects" || name == "single" {
			return
		}
		out = append(out, b.typeParam(t, func() *openapi3.Parameter {
			return &openapi3.Parameter{Name: "filter[" + name + "]", In: "query", Schema: inline(s),
				Description: desc + " Commas separate values any of which matches; filter[" + name + "][OP] applies an operator " +
					"(ne, not_in, gt, lt, ge, le, like, ilike, not_like, is_null, is_not_null and their synonyms)."}
		}, "filter", name))
	}
	simple("id", "Resources with this id.", stringSchema(""))
	for _, a := range readable(t.schema) {
		simple(a.Name, fmt.Sprintf("Resources whose %q is this value (%s).", a.Name, a.Type), stringSchema(""))
	}
	for _, ri := range t.rels {
		if ri.rel.Kind == resource.ToOne && ri.target != nil {
			simple(ri.rel.Name, fmt.Sprintf("Resources whose %q is the %q resource with this id.", ri.rel.Name, ri.rel.Type), stringSchema(""))
		}
	}
	return out
}

// sortParam returns sort of t.
func (b *builder) sortParam(t *typeInfo) *openapi3.ParameterRef {
	return b.typeParam(t, func() *openapi3.Parameter {
		keys := []string{"id"}
		for _, a := range readable(t.schema) {
			keys = append(keys, a.Name)
		}
		for _, ri := range t.rels {
			if ri.rel.Kind != resource.ToOne || ri.target == nil {
				continue
			}
			keys = append(keys, ri.rel.Name+".id")
			for _, a := range readable(ri.target.schema) {
				keys = append(keys, ri.rel.Name+"."+a.Name)
			}
		}
		items := stringSchema("")
		for _, k := range keys {
			items.Enum = append(items.Enum, k, "-"+k)
		}
		return listParam("sort",
			"Sort keys, comma-separated; - sorts descending. NULLs sort last ascending and first descending, and the id breaks ties.",
			items)
	}, "sort")
}

func (b *builder) pageParams() openapi3.Parameters {
	return openapi3.Parameters{b.paramRef("page.number"), b.paramRef("page.size"), b.paramRef("page.offset"),
		b.paramRef("page.limit"), b.paramRef("page.after"), b.paramRef("page.before")}
}

// collectionParams returns what a GET of a collection of t takes.
func (b *builder) collectionParams(t *typeInfo) openapi3.Parameters {
	ps := b.filterParams(t)
	ps = append(ps, b.paramRef("filter.single"), b.sortParam(t))
	ps = append(ps, b.pageParams()...)
	ps = append(ps, b.fieldsParams()...)
	ps = append(ps, b.includeParams(t)...)
	return append(ps, b.paramRef("q"), b.paramRef("If-None-Match"))
}

func opID(t *typeInfo, parts ...string) string {
	return strings.Join(append([]string{t.key}, parts...), ".")
}

func (b *builder) collectionPath(rt restless.Route) {
	t := b.types[rt.Resource.Schema().Type]
	it := b.item(path(rt.Pattern))
	for _, m := range methods(rt.Methods) {
		switch m {
		case http.MethodGet:
			it.SetOperation(m, &openapi3.Operation{
				Tags: []string{t.schema.Type}, OperationID: opID(t, "list"),
				Summary:     fmt.Sprintf("List %q resources", t.schema.Type),
				Description: "A page of the collection, filtered, sorted and with sparse fieldsets, included resources and relationship counts as the query asks.",
				Parameters:  b.collectionParams(t),
				Responses:   b.responses(map[int]*openapi3.Response{200: b.ok("A page of the collection.", t.key+".collection", "ETag")}, readErrors...),
			})
		case http.MethodPost:
			it.SetOperation(m, &openapi3.Operation{
				Tags: []string{t.schema.Type}, OperationID: opID(t, "create"),
				Summary:     fmt.Sprintf("Create a %q resource", t.schema.Type),
				Description: "Creates the resource, with the relationships the document gives, in one transaction.",
				RequestBody: b.body("The new resource.", t.key+".create"),
				Responses:   b.responses(map[int]*openapi3.Response{201: b.ok("Created.", t.key+".document", "Location")}, createErrors...),
			})
			if _, ok := rt.Resource.(resource.Provisioner); ok && b.api.Jobs != nil {
				it.Post.Responses.Set("202", &openapi3.ResponseRef{Value: b.acceptedResponse(t.schema.Type)})
			}
		case http.MethodPatch:
			it.SetOperation(m, &openapi3.Operation{
				Tags: []string{t.schema.Type}, OperationID: opID(t, "bulkUpdate"),
				Summary:     fmt.Sprintf("Change every %q resource the filters select", t.schema.Type),
				Description: bulkDescription(t.schema, "changes"),
				Parameters:  append(b.filterParams(t), b.paramRef("q")),
				RequestBody: b.body("The members to change.", t.key+".bulk"),
				Responses:   b.responses(map[int]*openapi3.Response{200: b.ok("The number of resources changed, in meta.num_modified.", b.bulkResult())}, bulkErrors...),
			})
		case http.MethodDelete:
			it.SetOperation(m, &openapi3.Operation{
				Tags: []string{t.schema.Type}, OperationID: opID(t, "bulkDelete"),
				Summary:     fmt.Sprintf("Delete every %q resource the filters select", t.schema.Type),
				Description: bulkDescription(t.schema, "deletes"),
				Parameters:  append(b.filterParams(t), b.paramRef("q")),
				Responses:   b.responses(map[int]*openapi3.Response{200: b.ok("The number of resources deleted, in meta.num_deleted.", b.bulkResult())}, bulkErrors...),
			})
		}
	}
}

// bulkDescription describes a bulk PATCH or DELETE of s; verb is
// "changes" or "deletes".
func bulkDescription(s *resource.Schema, verb string) string {
	d := "In one transaction, " + verb + " every resource the filters select, each as a request for that one resource would " +
		"(row filter and hooks included); any failure rolls all of it back. Filters are the only query parameters; "
	if s.BulkUnfiltered {
		d += "without one the change applies to every resource."
	} else {
		d += "a request without one is refused (400)."
	}
	if s.SoftDelete != nil && verb == "deletes" {
		d += " Deleted resources are deactivated, not removed."
	}
	return d
}

func (b *builder) itemPath(rt restless.Route) {
	t := b.types[rt.Resource.Schema().Type]
	it := b.item(path(rt.Pattern))
	it.Parameters = openapi3.Parameters{idParam(t)}
	for _, m := range methods(rt.Methods) {
		switch m {
		case http.MethodGet:
			ps := append(b.fieldsParams(), b.includeParams(t)...)
			it.SetOperation(m, &openapi3.Operation{
				Tags: []string{t.schema.Type}, OperationID: opID(t, "get"),
				Summary:    fmt.Sprintf("Fetch a %q resource", t.schema.Type),
				Parameters: append(ps, b.paramRef("If-None-Match")),
				Responses:  b.responses(map[int]*openapi3.Response{200: b.ok("The resource.", t.key+".document", "ETag")}, readErrors...),
			})
		case http.MethodPatch:
			it.SetOperation(m, &openapi3.Operation{
				Tags: []string{t.schema.Type}, OperationID: opID(t, "update"),
				Summary:     fmt.Sprintf("Update a %q resource", t.schema.Type),
				Description: "Changes the members the document gives; the others keep their values.",
				Parameters:  openapi3.Parameters{b.paramRef("If-Match")},
				RequestBody: b.body("The members to change.", t.key+".update"),
				Responses:   b.responses(map[int]*openapi3.Response{200: b.ok("The updated resource.", t.key+".document")}, updateErrors...),
			})
		case http.MethodDelete:
			it.SetOperation(m, &openapi3.Operation{
				Tags: []string{t.schema.Type}, OperationID: opID(t, "delete"),
				Summary:    fmt.Sprintf("Delete a %q resource", t.schema.Type),
				Parameters: openapi3.Parameters{b.paramRef("If-Match")},
				Responses:  b.responses(map[int]*openapi3.Response{204: noContent("Deleted.")}, deleteErrors...),
			})
		}
	}
}

// relPath returns the pattern with {rel} replaced by the relationship.
func relPath(pattern string, rel *resource.Relationship) string {
	return strings.Replace(path(pattern), "{rel}", url.PathEscape(rel.Name), 1)
}

func (b *builder) relatedPaths(rt restless.Route) {
	t := b.types[rt.Resource.Schema().Type]
	for _, ri := range t.rels {
		if ri.target == nil {
			continue // the endpoint answers 404
		}
		it := b.item(relPath(rt.Pattern, ri.rel))
		it.Parameters = openapi3.Parameters{idParam(t)}
		for _, m := range methods(rt.Methods) {
			if m != http.MethodGet {
				continue
			}
			op := &openapi3.Operation{
				Tags: []string{t.schema.Type}, OperationID: opID(t, ri.rel.Name, "related"),
			}
			if ri.rel.Kind == resource.ToOne {
				op.Summary = fmt.Sprintf("Fetch the %q resource of %q", ri.rel.Type, ri.rel.Name)
				op.Parameters = append(append(b.fieldsParams(), b.includeParams(ri.target)...), b.paramRef("If-None-Match"))
				op.Responses = b.responses(map[int]*openapi3.Response{200: b.ok("The related resource, or null.", ri.target.key+".related", "ETag")}, readErrors...)
			} else {
				op.Summary = fmt.Sprintf("List the %q resources of %q", ri.rel.Type, ri.rel.Name)
				op.Description = "A collection: it takes filters, sorting, pagination, sparse fieldsets and include."
				op.Parameters = b.collectionParams(ri.target)
				op.Responses = b.responses(map[int]*openapi3.Response{200: b.ok("A page of the related resources.", ri.target.key+".collection", "ETag")}, readErrors...)
			}
			it.SetOperation(m, op)
		}
	}
}

// relMethods returns the methods a relationship's linkage endpoint
// answers, as its handler's Allow does.
func relMethods(t *typeInfo, rel *resource.Relationship, route []string) []string {
	ms := []string{http.MethodGet}
	if !rel.ReadOnly && t.updatable {
		ms = append(ms, http.MethodPatch)
		if rel.Kind != resource.ToOne {
			ms = append(ms, http.MethodPost, http.MethodDelete)
		}
	}
	return slices.DeleteFunc(ms, func(m string) bool { return !slices.Contains(route, m) })
}

func (b *builder) relationshipPaths(rt restless.Route) {
	t := b.types[rt.Resource.Schema().Type]
	for _, ri := range t.rels {
		if ri.target == nil {
			continue // the endpoint answers 404
		}
		rel := ri.rel
		it := b.item(relPath(rt.Pattern, rel))
		it.Parameters = openapi3.Parameters{idParam(t)}
		for _, m := range relMethods(t, rel, methods(rt.Methods)) {
			op := &openapi3.Operation{Tags: []string{t.schema.Type}}
			switch m {
			case http.MethodGet:
				op.OperationID = opID(t, rel.Name, "linkage")
				op.Summary = fmt.Sprintf("Fetch the linkage of %q", rel.Name)
				if rel.Kind != resource.ToOne {
					op.Description = "The members' identifiers, paginated; a many-to-many shows its join table's columns as each identifier's meta."
					ps := b.filterParams(ri.target)
					ps = append(ps, b.sortParam(ri.target))
					ps = append(ps, b.pageParams()...)
					op.Parameters = append(ps, b.paramRef("q"), b.paramRef("If-None-Match"))
				} else {
					op.Parameters = openapi3.Parameters{b.paramRef("If-None-Match")}
				}
				op.Responses = b.responses(map[int]*openapi3.Response{200: b.ok("The linkage.", ri.key+".linkageDocument", "ETag")}, readErrors...)
			case http.MethodPatch:
				op.OperationID = opID(t, rel.Name, "replace")
				if rel.Kind == resource.ToOne {
					op.Summary = fmt.Sprintf("Set or clear %q", rel.Name)
				} else {
					op.Summary = fmt.Sprintf("Replace every member of %q", rel.Name)
					if rel.NoReplace {
						op.Description = "The relationship does not allow replacement: the request is refused with 403."
					}
				}
				op.RequestBody = b.body("The new linkage.", ri.key+".linkageRequest")
				op.Responses = b.responses(map[int]*openapi3.Response{204: noContent("Changed.")}, linkErrors...)
			case http.MethodPost:
				op.OperationID = opID(t, rel.Name, "add")
				op.Summary = fmt.Sprintf("Add members to %q", rel.Name)
				op.Description = "Adding a member already there changes nothing."
				op.RequestBody = b.body("The members to add.", ri.key+".linkageRequest")
				op.Responses = b.responses(map[int]*openapi3.Response{204: noContent("Added.")}, linkErrors...)
			case http.MethodDelete:
				op.OperationID = opID(t, rel.Name, "remove")
				op.Summary = fmt.Sprintf("Remove members from %q", rel.Name)
				if rel.NoRemove {
					op.Description = "The relationship does not allow removal: the request is refused with 403."
				}
				op.RequestBody = b.body("The members to remove.", ri.key+".linkageRequest")
				op.Responses = b.responses(map[int]*openapi3.Response{204: noContent("Removed.")}, linkErrors...)
			}
			it.SetOperation(m, op)
		}
	}
}

// atomicMediaType is the media type of the operations endpoint.
var atomicMediaType = `application/vnd.api+json; ext="` + restless.AtomicExt + `"`

func (b *builder) operationsPath(rt restless.Route) {
	it := b.item(path(rt.Pattern))
	for _, m := range methods(rt.Methods) {
		if m != http.MethodPost {
			continue
		}
		desc := "The results, in operation order."
		it.SetOperation(m, &openapi3.Operation{
			Tags: []string{"API"}, OperationID: "operations", Summary: "Run Atomic Operations",
			Description: "Runs the operations of the Atomic Operations extension (add, update and remove of resources and relationships; " +
				"lid references between them) in order in one transaction: if one fails, none is kept, and the error's source.pointer " +
				"starts with /atomic:operations/N. Content-Type must be " + atomicMediaType + " (else 415) and Accept must allow it (else 406). " +
				"Targets given as href are not supported.",
			RequestBody: &openapi3.RequestBodyRef{Value: &openapi3.RequestBody{Description: "The operations.", Required: true,
				Content: openapi3.Content{atomicMediaType: &openapi3.MediaType{Schema: b.ref("AtomicOperations")}}}},
			Responses: b.responses(map[int]*openapi3.Response{
				200: {Description: &desc, Content: openapi3.Content{atomicMediaType: &openapi3.MediaType{Schema: b.ref("AtomicResults")}}},
				204: noContent("Done; no operation returns data."),
			}, createErrors...),
		})
	}
}

func (b *builder) evalPath(rt restless.Route) {
	t := b.types[rt.Resource.Schema().Type]
	it := b.item(path(rt.Pattern))
	for _, m := range methods(rt.Methods) {
		if m != http.MethodGet {
			continue
		}
		ps := append(b.filterParams(t), b.paramRef("functions"), b.paramRef("q"), b.paramRef("If-None-Match"))
		it.SetOperation(m, &openapi3.Operation{
			Tags: []string{t.schema.Type}, OperationID: opID(t, "evaluate"),
			Summary:     fmt.Sprintf("Evaluate functions over %q resources", t.schema.Type),
			Description: "Evaluates count, sum, avg, min, max and count_distinct over the resources the filters select.",
			Parameters:  ps,
			Responses:   b.responses(map[int]*openapi3.Response{200: b.ok("The results, in meta.", "Evaluation", "ETag")}, readErrors...),
		})
	}
}
