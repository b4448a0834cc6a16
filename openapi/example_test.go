package openapi_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gorestless/restless/resource"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/openapi"
)

// ExampleDocument lists the operations of the demo's people and
// computers. The related and relationship endpoints get one path per
// relationship; HEAD and OPTIONS, which every endpoint answers, are left
// out.
func ExampleDocument() {
	api := &restless.API{Prefix: "/api"}
	doc, err := openapi.Document(api, demo.Person(), demo.Computer())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("OpenAPI", doc.OpenAPI)
	for _, p := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		methods := slices.Sorted(maps.Keys(doc.Paths.Value(p).Operations()))
		fmt.Println(p, strings.Join(methods, " "))
	}
	// Output:
	// OpenAPI 3.1.0
	// /api GET
	// /api/computer GET POST
	// /api/computer/{id} DELETE GET PATCH
	// /api/computer/{id}/owner GET
	// /api/computer/{id}/relationships/owner GET PATCH
	// /api/eval/computer GET
	// /api/eval/person GET
	// /api/operations POST
	// /api/person GET POST
	// /api/person/{id} DELETE GET PATCH
	// /api/person/{id}/computers GET
	// /api/person/{id}/relationships/computers DELETE GET PATCH POST
}

// ExampleHandler serves the description at /api/openapi.json, where the
// root links to it.
func ExampleHandler() {
	api := &restless.API{Prefix: "/api"}
	res := []resource.Resource{demo.Person(), demo.Computer()}
	h, err := openapi.Handler(api, res...)
	if err != nil {
		fmt.Println(err)
		return
	}
	api.Description = h
	if _, err := api.Handler(res...); err != nil {
		fmt.Println(err)
		return
	}
	routes, _ := api.Routes(res...)
	for _, rt := range routes {
		if rt.Kind == restless.DescriptionRoute {
			fmt.Println(rt.Pattern)
		}
	}
	// Output:
	// /api/openapi.json
}
