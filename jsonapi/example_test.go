package jsonapi_test

import (
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/gorestless/restless/jsonapi"
	"github.com/gorestless/restless/resource"
)

// ErrorObjects is where any error becomes error objects: an *Error is
// sent as it is, an error that knows its status (resource.ErrNotFound)
// gets the status text as title, and anything else is a 500 that keeps
// its cause for the log.
func ExampleErrorObjects() {
	for _, err := range []error{
		&jsonapi.Error{Status: 409, Detail: "The name is taken.", Source: jsonapi.Pointer("/data/attributes/name")},
		fmt.Errorf("update person 7: %w", resource.ErrNotFound),
		errors.New("pq: relation \"person\" does not exist"),
	} {
		for _, e := range jsonapi.ErrorObjects(err) {
			fmt.Printf("%d %s: %s (cause logged: %v)\n", e.Status, e.Title, e.Detail, e.Err != nil)
		}
	}
	// Output:
	// 409 Conflict: The name is taken. (cause logged: false)
	// 404 Not Found: The requested resource does not exist. (cause logged: false)
	// 500 Internal Server Error: The server could not complete the request. (cause logged: true)
}

func ExampleWriteErrors() {
	w := httptest.NewRecorder()
	jsonapi.WriteErrors(w, jsonapi.MediaType, 400,
		&jsonapi.Error{Status: 400, Title: "Invalid Query Parameter", Detail: "The query parameter \"sort\" is invalid.", Source: jsonapi.Parameter("sort")})
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Print(w.Body.String())
	// Output:
	// 400 application/vnd.api+json
	// {"errors":[{"status":"400","title":"Invalid Query Parameter","detail":"The query parameter \"sort\" is invalid.","source":{"parameter":"sort"}}],"jsonapi":{"version":"1.1"}}
}
