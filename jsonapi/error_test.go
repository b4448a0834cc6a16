package jsonapi_test

import (
	"testing"

	"github.com/gorestless/restless/jsonapi"
)

func TestErrorError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  *jsonapi.Error
		want string
	}{
		{"detail", &jsonapi.Error{Status: 400, Title: "Bad Request", Detail: "Bad callback."}, "restless: Bad callback."},
		{"title without detail", &jsonapi.Error{Status: 400, Title: "Bad Callback"}, "restless: Bad Callback"},
		{"status alone", &jsonapi.Error{Status: 404}, "restless: Not Found"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%s: Error() = %q, want %q", tt.name, got, tt.want)
		}
	}
}
