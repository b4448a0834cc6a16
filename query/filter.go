package query

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	sq "github.com/Masterminds/squirrel"
)

// Limits on filters.
const (
	// MaxFilterDepth bounds the nesting of and/or/not/has/any.
	MaxFilterDepth = 32
	// MaxInValues bounds the values of one in or not_in.
	MaxInValues = 1000
)

// operators maps every operator name Flask-Restless accepts to its
// canonical name.
var operators = map[string]string{
	"==": "eq", "eq": "eq", "equals": "eq", "equal_to": "eq",
	"!=": "ne", "ne": "ne", "neq": "ne", "not_equal_to": "ne", "does_not_equal": "ne",
	">": "gt", "gt": "gt",
	"<": "lt", "lt": "lt",
	">=": "ge", "ge": "ge", "gte": "ge", "geq": "ge",
	"<=": "le", "le": "le", "lte": "le", "leq": "le",
	"in": "in", "not_in": "not_in",
	"is_null": "is_null", "is_not_null": "is_not_null",
	"like": "like", "ilike": "ilike", "not_like": "not_like",
	"has": "has", "any": "any",
}

// comparisons are the SQL operators of the canonical comparison names.
var comparisons = map[string]string{"eq": "=", "ne": "<>", "gt": ">", "lt": "<", "ge": ">=", "le": "<="}

// compiler turns filter objects into SQL conditions.
type compiler struct {
	ctx context.Context
}

// filterList compiles a JSON list of filter objects joined by AND (or OR
// when or is set).
func (c *compiler) filterList(r Resolver, raw json.RawMessage, or bool) (sq.Sqlizer, error) {
	var items []json.RawMessage
	if err := decodeJSON(raw, &items); err != nil || items == nil {
		return nil, errors.New("it must be a JSON list of filter objects")
	}
	conds := make([]sq.Sqlizer, 0, len(items))
	for i, it := range items {
		cond, err := c.filter(r, it, 1)
		if err != nil {
			return nil, fmt.Errorf("filter %d: %w", i, err)
		}
		conds = append(conds, cond)
	}
	if or {
		return sq.Or(conds), nil
	}
	return sq.And(conds), nil
}

// filter compiles one filter object.
func (c *compiler) filter(r Resolver, raw json.RawMessage, depth int) (sq.Sqlizer, error) {
	if depth > MaxFilterDepth {
		return nil, fmt.Errorf("filters nest deeper than %d levels", MaxFilterDepth)
	}
	var obj map[string]json.RawMessage
	if err := decodeJSON(raw, &obj); err != nil || obj == nil {
		return nil, errors.New("a filter must be a JSON object")
	}
	for _, key := range []string{"or", "and"} {
		if v, ok := obj[key]; ok {
			if len(obj) != 1 {
				return nil, fmt.Errorf("an %q filter may have no other members", key)
			}
			var items []json.RawMessage
			if err := decodeJSON(v, &items); err != nil || items == nil {
				return nil, fmt.Errorf("%q must be a list of filters", key)
			}
			conds := make([]sq.Sqlizer, 0, len(items))
			for _, it := range items {
				cond, err := c.filter(r, it, depth+1)
				if err != nil {
					return nil, err
				}
				conds = append(conds, cond)
			}
			if key == "or" {
				return sq.Or(conds), nil
			}
			return sq.And(conds), nil
		}
	}
	if v, ok := obj["not"]; ok {
		if len(obj) != 1 {
			return nil, errors.New(`a "not" filter may have no other members`)
		}
		cond, err := c.filter(r, v, depth+1)
		if err != nil {
			return nil, err
		}
		return not{cond}, nil
	}
	for k := range obj {
		switch k {
		case "name", "op", "val", "field":
		default:
			return nil, fmt.Errorf("a filter has no member %q", k)
		}
	}
	name, err := stringMember(obj, "name")
	if err != nil {
		return nil, err
	}
	opName, err := stringMember(obj, "op")
	if err != nil {
		return nil, err
	}
	op, ok := operators[opName]
	if !ok {
		return nil, fmt.Errorf("%q is not an operator", opName)
	}
	val, hasVal := obj["val"]
	if op == "has" || op == "any" {
		return c.relationFilter(r, name, op, val, hasVal, depth)
	}
	f, ok := r.Field(name)
	if !ok {
		if _, isRel := r.Relation(name); isRel {
			return nil, fmt.Errorf("%q is a relationship; filter it with \"has\" or \"any\"", name)
		}
		return nil, fmt.Errorf("the type %q has no field %q", r.Type(), name)
	}
	if rawOther, ok := obj["field"]; ok {
		if hasVal {
			return nil, errors.New(`a filter may have "val" or "field", not both`)
		}
		var other string
		if err := json.Unmarshal(rawOther, &other); err != nil {
			return nil, errors.New(`"field" must be a string`)
		}
		g, ok := r.Field(other)
		if !ok {
			return nil, fmt.Errorf("the type %q has no field %q", r.Type(), other)
		}
		sqlOp, ok := comparisons[op]
		if !ok {
			return nil, fmt.Errorf("the operator %q cannot compare two fields", opName)
		}
		return sq.Expr(f.Expr + " " + sqlOp + " " + g.Expr), nil
	}
	return compare(f, op, opName, val, hasVal)
}

// compare builds the condition of one field, operator and JSON value.
func compare(f Field, op, opName string, val json.RawMessage, hasVal bool) (sq.Sqlizer, error) {
	switch op {
	case "is_null":
		return sq.Eq{f.Expr: nil}, nil
	case "is_not_null":
		return sq.NotEq{f.Expr: nil}, nil
	}
	if !hasVal {
		return nil, fmt.Errorf("the operator %q needs a \"val\"", opName)
	}
	isNull := bytes.Equal(bytes.TrimSpace(val), []byte("null"))
	switch op {
	case "eq", "ne":
		if isNull {
			if op == "eq" {
				return sq.Eq{f.Expr: nil}, nil
			}
			return sq.NotEq{f.Expr: nil}, nil
		}
		v, err := convertJSON(f, val)
		if err != nil {
			return nil, err
		}
		if op == "eq" {
			return sq.Eq{f.Expr: v}, nil
		}
		return sq.NotEq{f.Expr: v}, nil
	case "gt", "lt", "ge", "le":
		if isNull {
			return nil, fmt.Errorf("the operator %q cannot compare with null", opName)
		}
		v, err := convertJSON(f, val)
		if err != nil {
			return nil, err
		}
		return sq.Expr(f.Expr+" "+comparisons[op]+" ?", v), nil
	case "in", "not_in":
		var items []json.RawMessage
		if err := decodeJSON(val, &items); err != nil || items == nil {
			return nil, fmt.Errorf("the operator %q needs a list", opName)
		}
		if len(items) > MaxInValues {
			return nil, fmt.Errorf("the operator %q takes at most %d values", opName, MaxInValues)
		}
		vals := make([]any, 0, len(items))
		for _, it := range items {
			v, err := convertJSON(f, it)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
		return inList(f, op == "not_in", vals), nil
	case "like", "ilike", "not_like":
		var s string
		if err := json.Unmarshal(val, &s); err != nil || isNull {
			return nil, fmt.Errorf("the operator %q needs a string", opName)
		}
		return likeCond(f, op, opName, s)
	}
	return nil, fmt.Errorf("the operator %q does not apply here", opName)
}

func likeCond(f Field, op, opName, s string) (sq.Sqlizer, error) {
	if !f.Text {
		return nil, fmt.Errorf("the operator %q applies only to text fields, and %q is not one", opName, f.Name)
	}
	// The pattern is a text value of the field: the program's conversion
	// may refuse it (text the database cannot hold, say).
	var v any = s
	if f.FromText != nil {
		var err error
		if v, err = f.FromText(s); err != nil {
			return nil, fmt.Errorf("the pattern %q for %q %w", truncate(s), f.Name, err)
		}
	}
	switch op {
	case "like":
		return sq.Expr(f.Expr+" LIKE ?", v), nil
	case "not_like":
		return sq.Expr(f.Expr+" NOT LIKE ?", v), nil
	}
	// lower() on both sides is case-insensitive on SQLite and PostgreSQL
	// alike; squirrel's ILIKE does not exist in SQLite.
	return sq.Expr("lower("+f.Expr+") LIKE lower(?)", v), nil
}

// inList is IN or NOT IN over vals; a null among them matches IS NULL.
func inList(f Field, negate bool, vals []any) sq.Sqlizer {
	var nonNull []any
	hasNull := false
	for _, v := range vals {
		if v == nil {
			hasNull = true
		} else {
			nonNull = append(nonNull, v)
		}
	}
	var cond sq.Sqlizer = sq.Eq{f.Expr: nonNull}
	if nonNull == nil {
		cond = sq.Expr("(1=0)")
	}
	if hasNull {
		cond = sq.Or{cond, sq.Eq{f.Expr: nil}}
	}
	if negate {
		// As in SQL, rows whose value is NULL match neither IN nor NOT IN
		// of non-null values.
		return not{cond}
	}
	return cond
}

// relationFilter compiles has/any.
func (c *compiler) relationFilter(r Resolver, name, op string, val json.RawMessage, hasVal bool, depth int) (sq.Sqlizer, error) {
	rel, ok := r.Relation(name)
	if !ok {
		return nil, fmt.Errorf("the type %q has no relationship %q", r.Type(), name)
	}
	if op == "any" && !rel.ToMany {
		return nil, fmt.Errorf("%q is a to-one relationship; use \"has\"", name)
	}
	if op == "has" && rel.ToMany {
		return nil, fmt.Errorf("%q is a to-many relationship; use \"any\"", name)
	}
	if rel.Matches == nil || rel.Target == nil {
		return nil, fmt.Errorf("the relationship %q cannot be filtered", name)
	}
	var cond sq.Sqlizer
	if hasVal && !bytes.Equal(bytes.TrimSpace(val), []byte("null")) {
		var err error
		if cond, err = c.filter(rel.Target, val, depth+1); err != nil {
			return nil, err
		}
	}
	sub, err := rel.Matches(c.ctx, cond)
	if err != nil {
		return nil, err
	}
	// A NULL key has no related resource; testing it first keeps
	// NOT (has ...) true for such rows, where NULL IN (...) is unknown.
	return sq.And{sq.NotEq{rel.Key: nil}, sq.Expr(rel.Key+" IN (?)", sub)}, nil
}

func convertJSON(f Field, raw json.RawMessage) (any, error) {
	v, err := f.FromJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("the value %s for %q %w", truncate(string(raw)), f.Name, err)
	}
	return v, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func stringMember(obj map[string]json.RawMessage, key string) (string, error) {
	raw, ok := obj[key]
	if !ok {
		return "", fmt.Errorf("a filter needs a %q", key)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%q must be a string", key)
	}
	return s, nil
}

// decodeJSON decodes raw keeping numbers exact.
func decodeJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

// not negates a condition.
type not struct{ cond sq.Sqlizer }

func (n not) ToSql() (string, []any, error) {
	s, args, err := n.cond.ToSql()
	if err != nil {
		return "", nil, err
	}
	return "NOT (" + s + ")", args, nil
}

// simpleFilter compiles filter[name]=a,b and filter[name][op]=v.
func simpleFilter(r Resolver, name, opName, value string) (sq.Sqlizer, error) {
	f, ok := r.Field(name)
	if !ok {
		rel, isRel := r.Relation(name)
		if !isRel {
			return nil, fmt.Errorf("the type %q has no field %q", r.Type(), name)
		}
		if rel.ID == nil {
			return nil, fmt.Errorf("%q is a to-many relationship; filter it with filter[objects] and \"any\"", name)
		}
		f = *rel.ID
	}
	op := "eq"
	if opName != "" {
		var ok bool
		if op, ok = operators[opName]; !ok {
			return nil, fmt.Errorf("%q is not an operator", opName)
		}
	}
	text := func(s string) (any, error) {
		v, err := f.FromText(s)
		if err != nil {
			return nil, fmt.Errorf("the value %q for %q %w", truncate(s), f.Name, err)
		}
		return v, nil
	}
	list := func() ([]any, error) {
		parts := strings.Split(value, ",")
		if len(parts) > MaxInValues {
			return nil, fmt.Errorf("it takes at most %d values", MaxInValues)
		}
		vals := make([]any, 0, len(parts))
		for _, p := range parts {
			v, err := text(p)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
		return vals, nil
	}
	switch op {
	case "eq", "in":
		vals, err := list()
		if err != nil {
			return nil, err
		}
		if len(vals) == 1 && op == "eq" {
			return sq.Eq{f.Expr: vals[0]}, nil
		}
		return inList(f, false, vals), nil
	case "ne", "not_in":
		vals, err := list()
		if err != nil {
			return nil, err
		}
		return inList(f, true, vals), nil
	case "gt", "lt", "ge", "le":
		v, err := text(value)
		if err != nil {
			return nil, err
		}
		return sq.Expr(f.Expr+" "+comparisons[op]+" ?", v), nil
	case "is_null":
		return sq.Eq{f.Expr: nil}, nil
	case "is_not_null":
		return sq.NotEq{f.Expr: nil}, nil
	case "like", "ilike", "not_like":
		return likeCond(f, op, opName, value)
	}
	return nil, fmt.Errorf("the operator %q needs filter[objects]", opName)
}
