package engine

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/gorestless/restless/internal/jsontext"
	"github.com/gorestless/restless/resource"
)

// timeLayouts are the text forms databases hand back for timestamps.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	resource.DateFormat,
}

// parseTime parses a timestamp in any of timeLayouts; times without an
// offset are UTC.
func parseTime(s string) (time.Time, bool) {
	for _, l := range timeLayouts {
		if !mayMatch(l, s) {
			continue
		}
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// mayMatch reports whether time.Parse(layout, s) can succeed, for one of
// timeLayouts, from the length and the date-time separator alone: a date
// is ten characters long and nothing longer matches DateFormat, and the
// other layouts need their own separator at index 10. Skipping layouts
// that cannot match spares a failed parse, and its error, per value.
func mayMatch(layout, s string) bool {
	if len(layout) == len(resource.DateFormat) || len(s) <= len(resource.DateFormat) {
		return len(layout) == len(resource.DateFormat) && len(s) == len(resource.DateFormat)
	}
	return s[len(resource.DateFormat)] == layout[len(resource.DateFormat)]
}

// appendValue appends the database value v of an attribute of type t as
// JSON.
func appendValue(b []byte, t resource.ValueType, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case []byte:
		if t == resource.JSON && json.Valid(x) {
			return append(b, x...)
		}
		return appendValue(b, t, string(x))
	}
	switch t {
	case resource.Integer:
		switch x := v.(type) {
		case int64:
			return strconv.AppendInt(b, x, 10)
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				return strconv.AppendInt(b, int64(x), 10)
			}
			return appendFloat(b, x)
		case bool:
			if x {
				return append(b, '1')
			}
			return append(b, '0')
		}
	case resource.Float:
		switch x := v.(type) {
		case float64:
			return appendFloat(b, x)
		case int64:
			return strconv.AppendInt(b, x, 10)
		case string:
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return appendFloat(b, f)
			}
		}
	case resource.Boolean:
		switch x := v.(type) {
		case bool:
			return strconv.AppendBool(b, x)
		case int64:
			return strconv.AppendBool(b, x != 0)
		case float64:
			return strconv.AppendBool(b, x != 0)
		case string:
			if p, err := strconv.ParseBool(x); err == nil {
				return strconv.AppendBool(b, p)
			}
		}
	case resource.Date:
		switch x := v.(type) {
		case time.Time:
			return appendTime(b, x, resource.DateFormat)
		case string:
			if t, ok := parseTime(x); ok && len(x) >= 10 {
				return appendTime(b, t, resource.DateFormat)
			}
		}
	case resource.Timestamp:
		switch x := v.(type) {
		case time.Time:
			return appendTime(b, x.UTC(), resource.TimestampFormat)
		case string:
			if t, ok := parseTime(x); ok {
				return appendTime(b, t, resource.TimestampFormat)
			}
		}
	case resource.JSON:
		if s, ok := v.(string); ok && json.Valid([]byte(s)) {
			return append(b, s...)
		}
	}
	switch x := v.(type) {
	case string:
		return jsontext.AppendString(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return appendFloat(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case time.Time:
		return appendTime(b, x.UTC(), resource.TimestampFormat)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, raw...)
}

func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return strconv.AppendFloat(b, f, 'e', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// formatID returns the wire form of a key read from the database.
func formatID(v any) string {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10)
	case string:
		return x
	case []byte:
		return string(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

// parseID converts an id from a URL or document into a key of id. It
// reports false when the text cannot be such a key.
func parseID(id resource.ID, s string) (any, bool) {
	if id.UUID && !isUUID(s) {
		return nil, false
	}
	return parseKey(id.Type, s)
}

// idType is the type of id's values: UUID for a UUID key.
func idType(id resource.ID) resource.ValueType {
	if id.UUID {
		return resource.UUID
	}
	return id.Type
}

// isUUID reports whether s is a UUID in its 8-4-4-4-12 text form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// parseKey converts an id from a URL or document into a key of type t. It
// reports false when the text cannot be such a key.
func parseKey(t resource.ValueType, s string) (any, bool) {
	if t == resource.Integer {
		if s == "" || (s[0] == '+') || (len(s) > 1 && s[0] == '0') {
			return nil, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, false
		}
		return n, true
	}
	if s == "" {
		return nil, false
	}
	return s, true
}

// appendTime appends t in layout as a JSON string. The layouts restless
// writes times in (DateFormat, TimestampFormat) hold only digits and
// characters JSON strings keep as they are, so no escaping is needed.
func appendTime(b []byte, t time.Time, layout string) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, layout)
	return append(b, '"')
}
