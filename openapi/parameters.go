package openapi

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gorestless/restless/resource"

	"github.com/getkin/kin-openapi/openapi3"
)

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
