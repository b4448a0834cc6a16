package openapi

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gorestless/restless/resource"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gorestless/restless"
)

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

// The error responses of each kind of operation.
var (
	readErrors   = []string{"NotModified", "BadRequest", "NotFound", "NotAcceptable", "InternalServerError", "ServiceUnavailable"}
	createErrors = []string{"BadRequest", "Forbidden", "NotFound", "MethodNotAllowed", "NotAcceptable", "Conflict", "ContentTooLarge", "UnsupportedMediaType", "InternalServerError", "ServiceUnavailable"}
	updateErrors = []string{"BadRequest", "Forbidden", "NotFound", "NotAcceptable", "Conflict", "PreconditionFailed", "ContentTooLarge", "UnsupportedMediaType", "InternalServerError", "ServiceUnavailable"}
	deleteErrors = []string{"BadRequest", "Forbidden", "NotFound", "MethodNotAllowed", "NotAcceptable", "Conflict", "PreconditionFailed", "InternalServerError", "ServiceUnavailable"}
	bulkErrors   = []string{"BadRequest", "Forbidden", "NotFound", "MethodNotAllowed", "NotAcceptable", "Conflict", "PreconditionFailed", "ContentTooLarge", "UnsupportedMediaType", "InternalServerError", "ServiceUnavailable"}
	linkErrors   = []string{"BadRequest", "Forbidden", "NotFound", "NotAcceptable", "Conflict", "ContentTooLarge", "UnsupportedMediaType", "InternalServerError", "ServiceUnavailable"}
)
