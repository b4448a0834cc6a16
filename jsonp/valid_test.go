package jsonp_test

import (
	"strings"
	"testing"

	"github.com/gorestless/restless/jsonp"
)

func TestValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		callback  string
		maxLength int
		want      bool
	}{
		{"foo", 0, true},
		{"$", 0, true},
		{"_", 0, true},
		{"_a", 0, true},
		{"a1", 0, true},
		{"a.b.c", 0, true},
		{"jQuery123_456", 0, true},
		{"jQuery3210_1700000000000", 0, true},
		{"app.handlers.person", 0, true},
		{"$.fn.cb", 0, true},
		{"newThing", 0, true}, // contains a reserved word, is not one
		{"a.thisOne", 0, true},
		{strings.Repeat("a", 128), 0, true},
		{strings.Repeat("a", 10), 10, true},

		{"", 0, false},
		{"alert(1)", 0, false},
		{"<script>", 0, false},
		{"foo;bar", 0, false},
		{"foo,bar", 0, false},
		{"a..b", 0, false},
		{".a", 0, false},
		{"a.", 0, false},
		{".", 0, false},
		{"1a", 0, false},
		{"a.1b", 0, false},
		{`"foo"`, 0, false},
		{"'foo'", 0, false},
		{"foo bar", 0, false},
		{" foo", 0, false},
		{"foo\n", 0, false},
		{"a[0]", 0, false},
		{"a-b", 0, false},
		{"/**/foo", 0, false},
		{`\u0061`, 0, false},
		{"caf\u00e9", 0, false},
		{"\u0430", 0, false}, // Cyrillic a
		{"a\u2028", 0, false},
		{"foo\x00", 0, false},
		{strings.Repeat("a", 129), 0, false},
		{strings.Repeat("a", 11), 10, false},
		{"delete", 0, false},
		{"function", 0, false},
		{"new", 0, false},
		{"this", 0, false},
		{"eval", 0, false},
		{"null", 0, false},
		{"true", 0, false},
		{"this.foo", 0, false},
		{"a.delete", 0, false},
		{"window.eval", 0, false},
	}
	for _, tt := range tests {
		if got := jsonp.Valid(tt.callback, tt.maxLength); got != tt.want {
			t.Errorf("Valid(%q, %d) = %v, want %v", tt.callback, tt.maxLength, got, tt.want)
		}
	}
}

func TestNewPanics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts jsonp.Options
	}{
		{"negative MaxLength", jsonp.Options{MaxLength: -1}},
		{"Param needing escapes", jsonp.Options{Param: "call back"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%+v) did not panic", tt.opts)
				}
			}()
			jsonp.New(tt.opts)
		})
	}
}
