package query

import (
	"fmt"
	"strings"
)

// parseFields checks a sparse fieldset "name,age" for type typ.
func parseFields(c Config, typ, val string) ([]string, error) {
	r := c.Resolver
	if typ != r.Type() {
		var ok bool
		if c.Types == nil {
			ok = false
		} else {
			r, ok = c.Types(typ)
		}
		if !ok {
			return nil, fmt.Errorf("there is no type %q", typ)
		}
	}
	if val == "" {
		return []string{}, nil
	}
	names := strings.Split(val, ",")
	seen := map[string]bool{}
	for _, n := range names {
		if !r.Member(n) {
			return nil, fmt.Errorf("the type %q has no field %q", typ, n)
		}
		if seen[n] {
			return nil, fmt.Errorf("it names %q twice", n)
		}
		seen[n] = true
	}
	return names, nil
}
