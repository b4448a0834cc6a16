package query

import (
	"context"
	"fmt"
	"strings"

	sq "github.com/Masterminds/squirrel"
)

// A Sort is one sort key.
type Sort struct {
	// Name is the key as the client wrote it, without "-".
	Name string
	// Key is the SQL expression sorted by.
	Key sq.Sqlizer
	// Desc sorts descending.
	Desc bool
	// Field is the field sorted by, for cursor values.
	Field Field
	// NotNull says the key is never NULL.
	NotNull bool
}

// orderBy returns the ORDER BY term: NULLs sort last ascending and first
// descending, on every database.
func (s Sort) orderBy(reverse bool) sq.Sqlizer {
	if s.Desc != reverse {
		return sq.Expr("? DESC NULLS FIRST", s.Key)
	}
	return sq.Expr("? ASC NULLS LAST", s.Key)
}

// parseSort parses a sort parameter value such as "-age,owner.name".
func parseSort(ctx context.Context, r Resolver, value string) ([]Sort, error) {
	var keys []Sort
	seen := map[string]bool{}
	for _, item := range strings.Split(value, ",") {
		desc := strings.HasPrefix(item, "-")
		name := strings.TrimPrefix(item, "-")
		if name == "" {
			return nil, fmt.Errorf("it has an empty sort key")
		}
		if seen[name] {
			return nil, fmt.Errorf("it names %q twice", name)
		}
		seen[name] = true
		s, err := sortKey(ctx, r, name)
		if err != nil {
			return nil, err
		}
		s.Desc = desc
		keys = append(keys, s)
	}
	return keys, nil
}

func sortKey(ctx context.Context, r Resolver, name string) (Sort, error) {
	relName, fieldName, isPath := strings.Cut(name, ".")
	if !isPath {
		f, ok := r.Field(name)
		if !ok {
			return Sort{}, fmt.Errorf("the type %q has no field %q to sort by", r.Type(), name)
		}
		return Sort{Name: name, Key: sq.Expr(f.Expr), Field: f, NotNull: name == "id"}, nil
	}
	rel, ok := r.Relation(relName)
	if !ok {
		return Sort{}, fmt.Errorf("the type %q has no relationship %q", r.Type(), relName)
	}
	if rel.ToMany || rel.Lookup == nil {
		return Sort{}, fmt.Errorf("sorting goes only through to-one relationships, and %q is not one", relName)
	}
	if strings.Contains(fieldName, ".") {
		return Sort{}, fmt.Errorf("sorting goes through one relationship at most")
	}
	f, ok := rel.Target.Field(fieldName)
	if !ok {
		return Sort{}, fmt.Errorf("the type %q has no field %q to sort by", rel.Target.Type(), fieldName)
	}
	key, err := rel.Lookup(ctx, f)
	if err != nil {
		return Sort{}, err
	}
	return Sort{Name: name, Key: key, Field: f}, nil
}

// withTiebreak appends the id, so the order is total.
func withTiebreak(keys []Sort, id Field) []Sort {
	for _, k := range keys {
		if k.Name == "id" {
			return keys
		}
	}
	return append(keys, Sort{Name: "id", Key: sq.Expr(id.Expr), Field: id, NotNull: true})
}

// signature identifies a sort, so a cursor is used only with its own.
func signature(keys []Sort) string {
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		if k.Desc {
			b.WriteByte('-')
		}
		b.WriteString(k.Name)
	}
	return b.String()
}
