package jobs_test

import (
	"context"
	"testing"

	"github.com/gorestless/restless/dialect"
	"github.com/gorestless/restless/jobs"
	"github.com/gorestless/restless/postgres"
	"github.com/gorestless/restless/sqlite"
)

// clockless is a dialect that cannot read its database's clock.
type clockless struct{ dialect.Dialect }

func TestSchema(t *testing.T) {
	for _, d := range []dialect.Dialect{sqlite.Dialect, postgres.Dialect} {
		stmts, err := jobs.Schema(d)
		if err != nil || len(stmts) == 0 {
			t.Errorf("Schema(%s) = %d statements, %v; want the DDL", d.Name(), len(stmts), err)
		}
	}
	if _, err := jobs.Schema(clockless{sqlite.Dialect}); err == nil {
		t.Errorf("Schema of a dialect without a clock: no error")
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"AAAAAAAAAAAAAAAAAAAAAA", true},
		{"abcdefghijklmnopqrstu_", true},
		{"abcdefghijklmnopqrstu", false},   // 21 characters
		{"abcdefghijklmnopqrstuvw", false}, // 23
		{"abcdefghijklmnopqrstu+", false},  // not base64url
		{"", false},
	}
	for _, tt := range tests {
		if got := jobs.ValidID(tt.id); got != tt.want {
			t.Errorf("ValidID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func TestCapWait(t *testing.T) {
	r := &jobs.Runner{MaxWait: 3e9}
	if got := r.CapWait(10e9); got != 3e9 {
		t.Errorf("CapWait(10s) with MaxWait 3s = %v", got)
	}
	if got := (&jobs.Runner{}).CapWait(60e9); got != jobs.DefaultMaxWait {
		t.Errorf("CapWait(60s) with no MaxWait = %v, want %v", got, jobs.DefaultMaxWait)
	}
}

func TestNotStarted(t *testing.T) {
	r := &jobs.Runner{}
	if _, err := r.Submit(context.Background(), "computer", "", nil); err == nil {
		t.Errorf("Submit before Start: no error")
	}
	if _, err := r.Load(context.Background(), "AAAAAAAAAAAAAAAAAAAAAA"); err == nil {
		t.Errorf("Load before Start: no error")
	}
	if err := r.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown before Start = %v, want nil", err)
	}
}
