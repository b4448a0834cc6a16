package restless_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/resource"
	"github.com/gorestless/restless/sqlite"
)

// API.Operations runs several writes in one transaction: an author and
// two books that name it by lid. The third request fails at its second
// operation, so its first is not kept either.
func ExampleAPI_Operations() {
	ctx := context.Background()
	db, err := sqlite.OpenMemory(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := db.Exec(ctx, `CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
		CREATE TABLE book (id INTEGER PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER REFERENCES author (id))`); err != nil {
		log.Fatal(err)
	}
	authors := &resource.Table{Name: "author", Attributes: []resource.Attribute{{Name: "name"}},
		Relationships: []resource.Relationship{{Name: "books", Type: "book", Kind: resource.ToMany, ForeignKey: "author_id"}}}
	books := &resource.Table{Name: "book", Attributes: []resource.Attribute{{Name: "title"}},
		Relationships: []resource.Relationship{{Name: "author", Type: "author", Kind: resource.ToOne, ForeignKey: "author_id"}}}
	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api"}
	h, err := api.Handler(authors, books)
	if err != nil {
		log.Fatal(err)
	}

	post := func(ops string) {
		req := httptest.NewRequest("POST", "/api/operations", strings.NewReader(`{"atomic:operations":`+ops+`}`))
		req.Header.Set("Content-Type", `application/vnd.api+json; ext="`+restless.AtomicExt+`"`)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var doc struct {
			Results []struct{ Data *struct{ Type, ID string } } `json:"atomic:results"`
			Errors  []struct {
				Status string
				Source struct{ Pointer string }
			}
		}
		json.Unmarshal(rec.Body.Bytes(), &doc)
		fmt.Print(rec.Code)
		for _, r := range doc.Results {
			fmt.Printf(" %s/%s", r.Data.Type, r.Data.ID)
		}
		for _, e := range doc.Errors {
			fmt.Printf(" %s at %s", e.Status, e.Source.Pointer)
		}
		fmt.Println()
	}
	book := func(title string) string {
		return `{"op":"add","data":{"type":"book","attributes":{"title":"` + title + `"},
			"relationships":{"author":{"data":{"type":"author","lid":"a"}}}}}`
	}
	post(`[{"op":"add","data":{"type":"author","lid":"a","attributes":{"name":"Le Guin"}}},` + book("Earthsea") + `,` + book("Lathe") + `]`)
	post(`[{"op":"update","ref":{"type":"book","id":"2","relationship":"author"},"data":null}]`)
	post(`[{"op":"add","data":{"type":"author","attributes":{"name":"Butler"}}},{"op":"add","data":{"type":"author","attributes":{"name":"Le Guin"}}}]`)

	var n int
	db.Reader.QueryRow(`SELECT count(*) FROM author`).Scan(&n)
	fmt.Println("authors:", n)
	// Output:
	// 200 author/1 book/1 book/2
	// 204
	// 409 409 at /atomic:operations/1/data/attributes/name
	// authors: 1
}
