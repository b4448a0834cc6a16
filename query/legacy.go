package query

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	sq "github.com/Masterminds/squirrel"
)

// legacySearch is the translation of a Flask-Restless 0.17 q parameter.
type legacySearch struct {
	filter    sq.Sqlizer
	sort      string
	page      map[string]string
	single    bool
	functions []Function
}

// parseLegacy reads q={"filters": [...], "disjunction": false,
// "order_by": [{"field": "name", "direction": "desc"}], "limit": 10,
// "offset": 20, "single": true, "functions": [...]}.
func parseLegacy(comp *compiler, c Config, val string) (legacySearch, error) {
	var l legacySearch
	fail := func(format string, args ...any) (legacySearch, error) {
		return l, paramErr("q", format, args...)
	}
	var q map[string]json.RawMessage
	if err := decodeJSON([]byte(val), &q); err != nil || q == nil {
		return fail("it must be a JSON object such as {\"filters\": [...]}")
	}
	disjunction := false
	if raw, ok := q["disjunction"]; ok {
		if err := json.Unmarshal(raw, &disjunction); err != nil {
			return fail("\"disjunction\" must be true or false")
		}
	}
	for key, raw := range q {
		switch key {
		case "disjunction":
		case "filters":
			if !c.Collection && !c.Functions {
				return fail("this endpoint takes no filters")
			}
			cond, err := comp.filterList(c.Resolver, raw, disjunction)
			if err != nil {
				return fail("%s", err.Error())
			}
			l.filter = cond
		case "order_by":
			if !c.Collection {
				return fail("this endpoint takes no order")
			}
			var items []struct {
				Field     string `json:"field"`
				Direction string `json:"direction"`
			}
			if err := json.Unmarshal(raw, &items); err != nil {
				return fail("\"order_by\" must be a list of {\"field\": ..., \"direction\": \"asc\" or \"desc\"}")
			}
			var keys []string
			for _, it := range items {
				if it.Field == "" || strings.ContainsAny(it.Field, ",-") {
					return fail("\"order_by\" has an invalid field %q", it.Field)
				}
				switch it.Direction {
				case "", "asc":
					keys = append(keys, it.Field)
				case "desc":
					keys = append(keys, "-"+it.Field)
				default:
					return fail("the direction %q is not asc or desc", it.Direction)
				}
			}
			l.sort = strings.Join(keys, ",")
		case "limit", "offset":
			if !c.Collection {
				return fail("this endpoint takes no %s", key)
			}
			var n json.Number
			if err := decodeJSON(raw, &n); err != nil {
				return fail("%q must be a non-negative integer", key)
			}
			i, err := strconv.Atoi(n.String())
			if err != nil || i < 0 || (key == "limit" && i == 0) {
				return fail("%q must be a positive integer", key)
			}
			if l.page == nil {
				l.page = map[string]string{}
			}
			l.page[key] = strconv.Itoa(i)
		case "single":
			if err := json.Unmarshal(raw, &l.single); err != nil {
				return fail("\"single\" must be true or false")
			}
		case "functions":
			if !c.Functions {
				return fail("only evaluation endpoints take functions")
			}
			fns, err := parseFunctions(c.Resolver, raw)
			if err != nil {
				return fail("%s", err.Error())
			}
			l.functions = fns
		default:
			return fail("%s", fmt.Sprintf("it has no member %q", key))
		}
	}
	return l, nil
}
