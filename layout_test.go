package restless_test

import (
	"go/build"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestImportDirection holds the layout to its one direction: cmd,
// openapi and introspect above the root, the root above the engine, the
// engine above the vocabulary (resource), the wire types (jsonapi), the
// database seam (dialect) and the query language, and nothing below the
// root needing a name of the root's. The engine and the vocabulary know
// no HTTP.
func TestImportDirection(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(file)
	const mod = "github.com/gorestless/restless"
	below := []string{"internal/engine", "resource", "jsonapi", "dialect", "query", "negotiate", "jsonp",
		"middleware", "sqlite", "postgres", "jobs", "internal/jsontext", "internal/etag"}
	above := []string{mod, mod + "/openapi", mod + "/introspect", mod + "/cmd/restless"}
	noHTTP := []string{"internal/engine", "resource", "dialect", "internal/jsontext", "internal/etag"}
	leaves := map[string][]string{ // what each leaf may import of the module, and no more
		"resource":          nil,
		"internal/jsontext": nil,
		"internal/etag":     nil,
		"jsonapi":           {"internal/jsontext"},
		"dialect":           {"resource"},
		"query":             {"jsonapi"},
		"negotiate":         {"jsonapi"},
		"jsonp":             {"jsonapi"},
		"middleware":        {"jsonapi"},
	}
	for _, dir := range below {
		pkg, err := build.ImportDir(filepath.Join(root, dir), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			if slices.Contains(above, imp) {
				t.Errorf("%s imports %s, which stands above it", dir, imp)
			}
			if imp == "net/http" && slices.Contains(noHTTP, dir) {
				t.Errorf("%s imports net/http", dir)
			}
			if allowed, ok := leaves[dir]; ok && strings.HasPrefix(imp, mod+"/") && !slices.Contains(allowed, strings.TrimPrefix(imp, mod+"/")) {
				t.Errorf("leaf %s imports %s", dir, imp)
			}
		}
	}
}
