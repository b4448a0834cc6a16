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
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

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
