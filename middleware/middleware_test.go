package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gorestless/restless/middleware"
)

// trace returns a middleware that appends name to *log on the way in and
// "/"+name on the way out.
func trace(log *[]string, name string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			*log = append(*log, name)
			next.ServeHTTP(w, r)
			*log = append(*log, "/"+name)
		})
	}
}

func TestChain(t *testing.T) {
	tests := []struct {
		name  string
		names []string
		want  []string
	}{
		{"none", nil, []string{"h"}},
		{"one", []string{"a"}, []string{"a", "h", "/a"}},
		{"first is outermost", []string{"a", "b", "c"}, []string{"a", "b", "c", "h", "/c", "/b", "/a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log []string
			var mws []func(http.Handler) http.Handler
			for _, n := range tt.names {
				mws = append(mws, trace(&log, n))
			}
			h := middleware.Chain(mws...)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				log = append(log, "h")
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
			if got, want := log, tt.want; !slices.Equal(got, want) {
				t.Errorf("calls = %v, want %v", got, want)
			}
		})
	}
}

func TestChainCopiesArguments(t *testing.T) {
	var log []string
	mws := []func(http.Handler) http.Handler{trace(&log, "a")}
	chain := middleware.Chain(mws...)
	mws[0] = trace(&log, "changed")
	chain(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if got, want := log, []string{"a", "/a"}; !slices.Equal(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}
}

func TestChainNilPanics(t *testing.T) {
	defer func() {
		got, _ := recover().(string)
		if want := "middleware 1 is nil"; !strings.Contains(got, want) {
			t.Errorf("panic = %q, want it to contain %q", got, want)
		}
	}()
	middleware.Chain(middleware.RequestID, nil)
	t.Error("Chain with a nil middleware did not panic")
}
