package introspect

import (
	"strings"

	"github.com/gorestless/restless"
)

// sqliteType maps a declared SQLite column type to a value type, in the
// spirit of SQLite's own affinity rules: the first rule that matches the
// upper-cased declaration wins, and anything else is text.
func sqliteType(decl string) restless.ValueType {
	d := strings.ToUpper(decl)
	switch {
	case strings.Contains(d, "BOOL"):
		return restless.Boolean
	case strings.Contains(d, "INT"):
		return restless.Integer
	case strings.Contains(d, "DATETIME"), strings.Contains(d, "TIMESTAMP"):
		return restless.Timestamp
	case strings.HasPrefix(d, "DATE"):
		return restless.Date
	case strings.Contains(d, "JSON"):
		return restless.JSON
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return restless.String
	case strings.Contains(d, "REAL"), strings.Contains(d, "FLOA"), strings.Contains(d, "DOUB"),
		strings.Contains(d, "NUMERIC"), strings.Contains(d, "DECIMAL"):
		return restless.Float
	}
	return restless.String
}

// postgresType maps information_schema.columns.data_type to a value type;
// anything not listed (text, uuid, arrays, enums, ...) is text.
func postgresType(dataType string) restless.ValueType {
	switch dataType {
	case "smallint", "integer", "bigint":
		return restless.Integer
	case "real", "double precision", "numeric":
		return restless.Float
	case "boolean":
		return restless.Boolean
	case "date":
		return restless.Date
	case "timestamp without time zone", "timestamp with time zone":
		return restless.Timestamp
	case "json", "jsonb":
		return restless.JSON
	}
	return restless.String
}
