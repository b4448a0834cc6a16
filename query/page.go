package query

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	sq "github.com/Masterminds/squirrel"
)

// CursorProfile is the URI of the JSON:API cursor pagination profile.
const CursorProfile = "https://jsonapi.org/profiles/ethanresnick/cursor-pagination"

// Error types of the cursor pagination profile.
const (
	ErrTypeMaxSize         = CursorProfile + "/max-size-exceeded"
	ErrTypeRangeNotAllowed = CursorProfile + "/range-pagination-not-supported"
)

// PageStyle says how a collection is paginated.
type PageStyle int

// The pagination styles.
const (
	// PageNumber is page[number] and page[size] (the default).
	PageNumber PageStyle = iota
	// PageOffset is page[offset] and page[limit].
	PageOffset
	// PageCursor is the cursor pagination profile: page[after],
	// page[before] and page[size].
	PageCursor
)

// Page is the requested page.
type Page struct {
	// Style is the pagination style.
	Style PageStyle
	// Number is the page number, from 1, in the PageNumber style.
	Number int
	// Size is the page size (page[size] or page[limit]).
	Size int
	// Start is the number of rows before the page in the PageNumber and
	// PageOffset styles.
	Start int
	// After and Before are the decoded cursors of the PageCursor style;
	// nil when absent.
	After, Before []any
}

// Offset returns the number of rows before the page.
func (p Page) Offset() int { return p.Start }

// cursor is the decoded form of an opaque cursor: the sort it belongs to
// and the sort-key values of a row.
type cursor struct {
	Sort   string            `json:"s"`
	Values []json.RawMessage `json:"v"`
}

// EncodeCursor returns the opaque cursor of a row whose sort-key values
// (as read from the database) are vals.
func EncodeCursor(keys []Sort, vals []any) string {
	c := cursor{Sort: signature(keys), Values: make([]json.RawMessage, len(keys))}
	for i, k := range keys {
		c.Values[i] = k.Field.AppendJSON(nil, vals[i])
	}
	raw, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// decodeCursor checks an opaque cursor against the sort and returns its
// values as bind parameters.
func decodeCursor(keys []Sort, s string) ([]any, error) {
	errBad := errors.New("it is not a cursor this server issued for this sort")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) > 4096 {
		return nil, errBad
	}
	var c cursor
	if err := decodeJSON(raw, &c); err != nil || c.Sort != signature(keys) || len(c.Values) != len(keys) {
		return nil, errBad
	}
	vals := make([]any, len(keys))
	for i, k := range keys {
		if bytes.Equal(bytes.TrimSpace(c.Values[i]), []byte("null")) {
			if k.NotNull {
				return nil, errBad
			}
			continue
		}
		v, err := k.Field.FromJSON(c.Values[i])
		if err != nil {
			return nil, errBad
		}
		vals[i] = v
	}
	return vals, nil
}

// Seek returns the condition selecting the rows after the cursor values
// vals in the order of keys (or before them when before is set).
func Seek(keys []Sort, vals []any, before bool) sq.Sqlizer {
	var or sq.Or
	for i := range keys {
		var and sq.And
		for j := 0; j < i; j++ {
			and = append(and, equal(keys[j], vals[j]))
		}
		and = append(and, beyond(keys[i], vals[i], keys[i].Desc != before))
		or = append(or, and)
	}
	return or
}

func equal(k Sort, v any) sq.Sqlizer {
	if v == nil {
		return sq.Expr("? IS NULL", k.Key)
	}
	return sq.Expr("? = ?", k.Key, v)
}

// beyond selects the values that come after v in the key's order: an
// ascending order puts NULLs last, a descending one first.
func beyond(k Sort, v any, desc bool) sq.Sqlizer {
	switch {
	case !desc && v == nil:
		return sq.Expr("(1=0)")
	case !desc && k.NotNull:
		return sq.Expr("? > ?", k.Key, v)
	case !desc:
		return sq.Or{sq.Expr("? > ?", k.Key, v), sq.Expr("? IS NULL", k.Key)}
	case v == nil:
		return sq.Expr("? IS NOT NULL", k.Key)
	}
	return sq.Expr("? < ?", k.Key, v)
}

// OrderBy returns the ORDER BY terms of keys, reversed for a page read
// backwards from a before cursor.
func OrderBy(keys []Sort, reverse bool) []sq.Sqlizer {
	out := make([]sq.Sqlizer, len(keys))
	for i, k := range keys {
		out[i] = k.orderBy(reverse)
	}
	return out
}

func parsePositive(param, s string) (int, error) {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || fmt.Sprint(n) != s || n < 1 {
		return 0, &Error{Param: param, Err: errPositive}
	}
	return n, nil
}

func parseNonNegative(param, s string) (int, error) {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || fmt.Sprint(n) != s || n < 0 {
		return 0, &Error{Param: param, Err: errNonNegative}
	}
	return n, nil
}
