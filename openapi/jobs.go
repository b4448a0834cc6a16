package openapi

import (
	"fmt"
	"net/http"

	"github.com/gorestless/restless/jobs"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gorestless/restless"
)

// jobSchema defines the job document the first time and returns its
// component name.
func (b *builder) jobSchema() string {
	name := b.name("schemas", "restless job")
	if _, ok := b.doc.Components.Schemas[name]; ok {
		return name
	}
	state := &openapi3.Schema{Type: types("string"), Enum: []any{jobs.Pending, jobs.Running, jobs.Complete, jobs.Failed}}
	errs := array(b.ref("Error"))
	errs.Description = "The errors of a failed job."
	obj := object(openapi3.Schemas{
		"type": inline(&openapi3.Schema{Type: types("string"), Enum: []any{"jobs"}}),
		"id":   inline(stringSchema("128 random bits in base64url.")),
		"attributes": inline(object(openapi3.Schemas{
			"state":        inline(state),
			"resourceType": inline(stringSchema("The type of the resource the job creates.")),
			"created":      inline(&openapi3.Schema{Type: types("string"), Format: "date-time"}),
			"updated":      inline(&openapi3.Schema{Type: types("string"), Format: "date-time", Description: "The time of the last change of state."}),
			"errors":       inline(errs),
		}, "state", "resourceType", "created", "updated")),
		"relationships": inline(object(openapi3.Schemas{
			"resource": inline(object(openapi3.Schemas{
				"data":  inline(&openapi3.Schema{Description: "The created resource's identifier once the job is complete, null before."}),
				"links": inline(object(openapi3.Schemas{"related": inline(uriSchema("The created resource."))})),
			}, "data")),
		})),
		"links": inline(object(openapi3.Schemas{"self": inline(uriSchema("The job."))})),
	}, "type", "id", "attributes")
	b.define(name, object(openapi3.Schemas{
		"data":    inline(obj),
		"links":   inline(object(openapi3.Schemas{"self": inline(uriSchema(""))})),
		"jsonapi": b.ref("JSONAPI"),
	}, "data"))
	b.schema(name).Description = "The job of an asynchronous creation."
	if _, ok := b.doc.Components.Headers["Content-Location"]; !ok {
		b.doc.Components.Headers["Content-Location"] = &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
			Description: "The job to poll.", Schema: inline(uriSchema(""))}}}
		b.doc.Components.Headers["Preference-Applied"] = &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
			Description: "wait=N when the server waited up to N seconds for the job (RFC 7240).", Schema: inline(stringSchema(""))}}}
	}
	return name
}

// jobPath documents GET {prefix}/jobs/{id}.
func (b *builder) jobPath(rt restless.Route) {
	name := b.jobSchema()
	it := b.item(path(rt.Pattern))
	it.Parameters = openapi3.Parameters{{Value: &openapi3.Parameter{Name: "id", In: "path", Required: true,
		Description: "The job's id, from the Content-Location of the 202 reply.", Schema: inline(stringSchema(""))}}}
	see := "See Other: the job is complete; Location is the created resource."
	for _, m := range methods(rt.Methods) {
		if m != http.MethodGet {
			continue
		}
		it.SetOperation(m, &openapi3.Operation{
			Tags: []string{"API"}, OperationID: "job", Summary: "Poll the job of an asynchronous creation",
			Description: "A pending, running or failed job is answered 200 with its state (a failed job with its errors); " +
				"a complete job with 303 and the created resource's Location. A job is shown only to requests that may read its resource.",
			Parameters: openapi3.Parameters{b.paramRef("If-None-Match")},
			Responses: b.responses(map[int]*openapi3.Response{
				200: b.ok("The job, not complete.", name, "ETag", "Retry-After"),
				303: {Description: &see, Content: openapi3.Content{mediaType: &openapi3.MediaType{Schema: b.ref(name)}},
					Headers: openapi3.Headers{"Location": &openapi3.HeaderRef{Ref: "#/components/headers/Location", Value: b.doc.Components.Headers["Location"].Value}}},
			}, readErrors...),
		})
	}
}

// acceptedResponse is the 202 reply of a POST that started a job.
func (b *builder) acceptedResponse(typ string) *openapi3.Response {
	r := b.ok(fmt.Sprintf("Accepted: the %q resource is created by a job; poll its Content-Location. "+
		"With Prefer: wait=N the server waits up to N seconds (capped) and answers 201 if the job completes in time.", typ),
		b.jobSchema(), "Content-Location", "Retry-After", "Preference-Applied")
	return r
}
