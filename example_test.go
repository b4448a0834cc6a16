package restless_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/resource"
	"github.com/gorestless/restless/sqlite"
)

// articles is a SQL table served as the JSON:API type "articles".
var articles = &resource.Table{
	Name: "article",
	Type: "articles",
	Attributes: []resource.Attribute{
		{Name: "title"},
		{Name: "words", Type: resource.Integer},
		// A computed, read-only attribute.
		{Name: "shout", Expr: `upper("article"."title")`},
	},
}

func Example() {
	ctx := context.Background()
	db, err := sqlite.OpenMemory(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := db.Exec(ctx, `CREATE TABLE article (id INTEGER PRIMARY KEY, title TEXT NOT NULL, words INTEGER, secret TEXT);
		INSERT INTO article VALUES (1, 'Hello', 120, 'hidden');`); err != nil {
		log.Fatal(err)
	}

	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect,
		Prefix: "/api", BaseURL: "https://example.com"}

	// Each handler works alone on a ServeMux pattern.
	mux := http.NewServeMux()
	mux.Handle("/api/articles", api.Collection(articles))
	mux.Handle("/api/articles/{id}", api.Item(articles))

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/articles/1", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Print(rec.Body.String())

	rec = httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/api/articles",
		strings.NewReader(`{"data":{"type":"articles","attributes":{"title":"Second","words":80}}}`))
	req.Header.Set("Content-Type", "application/vnd.api+json")
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	// Output:
	// 200 application/vnd.api+json
	// {"data":{"type":"articles","id":"1","attributes":{"title":"Hello","words":120,"shout":"HELLO"},"links":{"self":"https://example.com/api/articles/1"}},"links":{"self":"https://example.com/api/articles/1"},"jsonapi":{"version":"1.1"}}
	// 201 https://example.com/api/articles/2
}
