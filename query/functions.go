package query

import (
	"encoding/json"
	"errors"
	"fmt"
)

// MaxFunctions bounds the functions of one request.
const MaxFunctions = 20

// A Function is one aggregate to evaluate.
type Function struct {
	// Name is the function: count, sum, avg, min, max or count_distinct.
	Name string
	// Field is the field it reads.
	Field Field
	// Key names the result, as Flask-Restless does: "sum__age".
	Key string
	// SQL is the aggregate expression.
	SQL string
}

// aggregates maps the function names clients may use to SQL templates;
// no other name reaches SQL.
var aggregates = map[string]string{
	"count":          "count(%s)",
	"sum":            "sum(%s)",
	"avg":            "avg(%s)",
	"min":            "min(%s)",
	"max":            "max(%s)",
	"count_distinct": "count(DISTINCT %s)",
}

// parseFunctions parses a JSON list such as
// [{"name": "sum", "field": "age"}].
func parseFunctions(r Resolver, raw []byte) ([]Function, error) {
	if r == nil {
		return nil, errors.New("this endpoint evaluates no functions")
	}
	var items []map[string]json.RawMessage
	if err := decodeJSON(raw, &items); err != nil || items == nil {
		return nil, errors.New(`it must be a JSON list such as [{"name": "sum", "field": "age"}]`)
	}
	if len(items) > MaxFunctions {
		return nil, fmt.Errorf("it may list at most %d functions", MaxFunctions)
	}
	out := make([]Function, 0, len(items))
	for i, it := range items {
		for k := range it {
			if k != "name" && k != "field" {
				return nil, fmt.Errorf("function %d has no member %q", i, k)
			}
		}
		name, err := stringMember(it, "name")
		if err != nil {
			return nil, fmt.Errorf("function %d: %w", i, err)
		}
		tmpl, ok := aggregates[name]
		if !ok {
			return nil, fmt.Errorf("%q is not a function; use count, sum, avg, min, max or count_distinct", name)
		}
		fieldName, err := stringMember(it, "field")
		if err != nil {
			return nil, fmt.Errorf("function %d: %w", i, err)
		}
		f, ok := r.Field(fieldName)
		if !ok {
			return nil, fmt.Errorf("the type %q has no field %q", r.Type(), fieldName)
		}
		out = append(out, Function{Name: name, Field: f, Key: name + "__" + fieldName, SQL: fmt.Sprintf(tmpl, f.Expr)})
	}
	return out, nil
}
