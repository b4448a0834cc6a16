package restless_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	sq "github.com/Masterminds/squirrel"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/resource"
	"github.com/gorestless/restless/sqlite"
)

type teamKey struct{}

// teamNotes is a custom Resource: a Table whose rows are filtered by the
// team the request's context carries.
type teamNotes struct{ *resource.Table }

func (n teamNotes) Select(ctx context.Context) (sq.SelectBuilder, error) {
	b, err := n.Table.Select(ctx)
	team, _ := ctx.Value(teamKey{}).(string)
	return b.Where(sq.Eq{`"note"."team"`: team}), err
}

// withTeam is the authentication middleware of this example: it trusts a
// header, which a real program would not.
func withTeam(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), teamKey{}, r.Header.Get("X-Team"))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// A row filter taken from the request's context hides other teams' rows
// from every read and write.
func Example_rowFilter() {
	ctx := context.Background()
	db, err := sqlite.OpenMemory(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := db.Exec(ctx, `CREATE TABLE note (id INTEGER PRIMARY KEY, team TEXT, body TEXT);
		INSERT INTO note VALUES (1, 'red', 'red plan'), (2, 'blue', 'blue plan');`); err != nil {
		log.Fatal(err)
	}
	notes := teamNotes{&resource.Table{
		Name:       "note",
		Attributes: []resource.Attribute{{Name: "body"}},
		// New notes belong to the creator's team.
		Defaults: func(ctx context.Context) (map[string]any, error) {
			return map[string]any{"team": ctx.Value(teamKey{})}, nil
		},
	}}
	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api", BaseURL: "https://example.com"}
	h, err := api.Handler(notes)
	if err != nil {
		log.Fatal(err)
	}
	h = withTeam(h)

	for _, r := range []struct{ method, path string }{
		{"GET", "/api/note"},
		{"GET", "/api/note/2"},
		{"DELETE", "/api/note/2"},
	} {
		req := httptest.NewRequest(r.method, r.path, nil)
		req.Header.Set("X-Team", "red")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(r.method, r.path, rec.Code)
		if r.path == "/api/note" {
			fmt.Print(rec.Body.String())
		}
	}
	// Output:
	// GET /api/note 200
	// {"data":[{"type":"note","id":"1","attributes":{"body":"red plan"},"links":{"self":"https://example.com/api/note/1"}}],"links":{"self":"https://example.com/api/note","first":"https://example.com/api/note?page%5Bnumber%5D=1\u0026page%5Bsize%5D=10","last":"https://example.com/api/note?page%5Bnumber%5D=1\u0026page%5Bsize%5D=10"},"meta":{"total":1},"jsonapi":{"version":"1.1"}}
	// GET /api/note/2 404
	// DELETE /api/note/2 404
}
