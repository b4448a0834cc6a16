package engine

import (
	"testing"
	"time"
)

// TestParseTimeSkipsOnlyFailures checks that parseTime, which skips the
// layouts that cannot match, finds what trying every layout in order
// finds.
func TestParseTimeSkipsOnlyFailures(t *testing.T) {
	every := func(s string) (time.Time, bool) {
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t.UTC(), true
			}
		}
		return time.Time{}, false
	}
	for _, s := range []string{
		"2024-02-29", "2024-02-30", "2024-2-29", "20240229", "2024-02-29 ", "2024-02-29T",
		"2024-02-29 13:45", "2024-02-29T13:45", "2024-02-29 13:45:07", "2024-02-29T13:45:07",
		"2024-02-29 13:45:07.123456789", "2024-02-29T13:45:07.5Z", "2024-02-29T13:45:07+02:00",
		"2024-02-29 13:45:07.25+02:00", "2024-02-29 13:45:07Z", "2024-02-29 13:45:07-07:00",
		"2024-02-29X13:45:07", "", "x", "not a time at all", "2024-02-29T25:00:00Z",
	} {
		got, ok := parseTime(s)
		want, wantOK := every(s)
		if ok != wantOK || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v; every layout in turn gives %v, %v", s, got, ok, want, wantOK)
		}
	}
}
