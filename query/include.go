package query

import (
	"errors"
	"fmt"
	"strings"
)

// Limits on include.
const (
	// DefaultIncludeDepth is the longest include path by default.
	DefaultIncludeDepth = 3
	// DefaultIncludePaths is the most include paths by default.
	DefaultIncludePaths = 10
)

// parseInclude checks "computers,computers.owner" and returns the paths.
func parseInclude(c Config, val string) ([][]string, error) {
	if val == "" {
		return nil, errors.New("it names no relationship")
	}
	depth := c.IncludeDepth
	if depth <= 0 {
		depth = DefaultIncludeDepth
	}
	maxPaths := c.IncludePaths
	if maxPaths <= 0 {
		maxPaths = DefaultIncludePaths
	}
	items := strings.Split(val, ",")
	if len(items) > maxPaths {
		return nil, fmt.Errorf("it names more than %d paths", maxPaths)
	}
	var paths [][]string
	seen := map[string]bool{}
	for _, item := range items {
		if seen[item] {
			continue
		}
		seen[item] = true
		path := strings.Split(item, ".")
		if len(path) > depth {
			return nil, fmt.Errorf("the path %q is longer than %d relationships", item, depth)
		}
		r := c.Resolver
		for _, name := range path {
			rel, ok := r.Relation(name)
			if !ok || rel.Target == nil {
				return nil, fmt.Errorf("the type %q has no relationship %q", r.Type(), name)
			}
			r = rel.Target
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// parseWithCount checks withCount=computers,friends: to-many
// relationships whose size the response gives as meta.count.
func parseWithCount(r Resolver, val string) ([]string, error) {
	var names []string
	for _, name := range strings.Split(val, ",") {
		rel, ok := r.Relation(name)
		if !ok {
			return nil, fmt.Errorf("the type %q has no relationship %q", r.Type(), name)
		}
		if !rel.ToMany {
			return nil, fmt.Errorf("%q is a to-one relationship; only to-many ones are counted", name)
		}
		names = append(names, name)
	}
	return names, nil
}
