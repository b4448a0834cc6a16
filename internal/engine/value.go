package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
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

// decodeValue converts one attribute value of type t. The error completes
// the sentence "The attribute "x" ...".
func decodeValue(t resource.ValueType, raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, errors.New("has no value")
	}
	if string(raw) == "null" {
		return nil, nil
	}
	str := func() (string, bool) {
		if raw[0] != '"' {
			return "", false
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	}
	switch t {
	case resource.String:
		if s, ok := str(); ok {
			return s, nil
		}
		return nil, errors.New("must be a string")
	case resource.UUID:
		if s, ok := str(); ok {
			if isUUID(s) {
				return s, nil
			}
		}
		return nil, errors.New("must be a UUID such as \"123e4567-e89b-12d3-a456-426614174000\"")
	case resource.Integer:
		if raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9' {
			n, err := strconv.ParseInt(string(raw), 10, 64)
			if err == nil {
				return n, nil
			}
			var ne *strconv.NumError
			if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
				return nil, errors.New("is out of the range of a 64-bit integer")
			}
		}
		return nil, errors.New("must be an integer")
	case resource.Float:
		if raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9' {
			f, err := strconv.ParseFloat(string(raw), 64)
			if err == nil {
				return f, nil
			}
			return nil, errors.New("is out of the range of a 64-bit number")
		}
		return nil, errors.New("must be a number")
	case resource.Boolean:
		switch string(raw) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, errors.New("must be true or false")
	case resource.Date:
		s, ok := str()
		if !ok {
			return nil, errors.New("must be a date string such as \"2006-01-02\"")
		}
		if f, ok := sqlFunction(s); ok {
			return f, nil
		}
		d, err := time.Parse(resource.DateFormat, s)
		if err != nil {
			return nil, errors.New("must be a date such as \"2006-01-02\"")
		}
		return d, nil
	case resource.Timestamp:
		s, ok := str()
		if !ok {
			return nil, errors.New("must be an RFC 3339 timestamp string")
		}
		if f, ok := sqlFunction(s); ok {
			return f, nil
		}
		ts, ok := parseInputTime(s)
		if !ok {
			return nil, errors.New("must be an RFC 3339 timestamp such as \"2006-01-02T15:04:05Z\"")
		}
		return ts, nil
	case resource.JSON:
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, errors.New("must be JSON")
		}
		return json.RawMessage(buf.Bytes()), nil
	}
	return nil, fmt.Errorf("has a type the server cannot decode")
}

// textValue converts a query-string value of type t.
func textValue(t resource.ValueType, s string) (any, error) {
	switch t {
	case resource.String:
		return s, nil
	case resource.Integer:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, errors.New("must be an integer")
		}
		return n, nil
	case resource.Float:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, errors.New("must be a number")
		}
		return f, nil
	case resource.Boolean:
		switch strings.ToLower(s) {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
		return nil, errors.New("must be true or false")
	case resource.JSON:
		return s, nil
	case resource.UUID:
		if isUUID(s) {
			return s, nil
		}
		return nil, errors.New("must be a UUID")
	}
	raw, _ := json.Marshal(s)
	return decodeValue(t, raw)
}

func sqlFunction(s string) (resource.SQLFunction, bool) {
	switch f := resource.SQLFunction(s); f {
	case resource.CurrentTimestamp, resource.CurrentDate, resource.LocalTimestamp:
		return f, true
	}
	return "", false
}

// inputTimeLayouts are the accepted timestamp inputs; those without an
// offset are taken as UTC.
var inputTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04",
	resource.DateFormat,
}

func parseInputTime(s string) (time.Time, bool) {
	for _, l := range inputTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
