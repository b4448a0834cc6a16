package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// binary is the command, built once for the package's tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "restless-cmd")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "restless")
	build := exec.Command("go", "build", "-race", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		// -race needs cgo; fall back to a plain build.
		build = exec.Command("go", "build", "-o", binary, ".")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build:", err)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var servingURL = regexp.MustCompile(`url=(http://\S+)`)

// startCommand runs the binary on a free port and returns the API's URL.
func startCommand(t *testing.T, args ...string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			if m := servingURL.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
	}()
	select {
	case u := <-found:
		return u, cmd
	case <-time.After(30 * time.Second):
		t.Fatal("the command did not report its URL")
	}
	return "", nil
}

type reply struct {
	code   int
	header http.Header
	doc    map[string]any
}

func send(t *testing.T, method, url, body string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/vnd.api+json")
	if body != "" {
		req.Header.Set("Content-Type", "application/vnd.api+json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{code: res.StatusCode, header: res.Header}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.doc); err != nil {
			t.Fatalf("%s %s: body is not JSON: %s", method, url, raw)
		}
	}
	return r
}

func attr(doc map[string]any, name string) any {
	data, _ := doc["data"].(map[string]any)
	attrs, _ := data["attributes"].(map[string]any)
	return attrs[name]
}

// TestCommandCRUD runs the README's curl session against the real binary.
func TestCommandCRUD(t *testing.T) {
	base, cmd := startCommand(t)
	r := send(t, "POST", base+"/person", `{"data":{"type":"person","attributes":{"name":"Ada","birth_date":"1815-12-10","age":36}}}`)
	if r.code != 201 {
		t.Fatalf("POST: %d %v", r.code, r.doc)
	}
	loc := r.header.Get("Location")
	self := r.doc["data"].(map[string]any)["links"].(map[string]any)["self"]
	if loc == "" || loc != self {
		t.Fatalf("Location %q, data.links.self %v: want equal and non-empty", loc, self)
	}
	if r = send(t, "GET", loc, ""); r.code != 200 || attr(r.doc, "name") != "Ada" {
		t.Fatalf("GET: %d %v", r.code, r.doc)
	}
	id := r.doc["data"].(map[string]any)["id"].(string)
	r = send(t, "PATCH", loc, `{"data":{"type":"person","id":"`+id+`","attributes":{"name":"Ada Lovelace"}}}`)
	if r.code != 200 || attr(r.doc, "name") != "Ada Lovelace" || attr(r.doc, "age") != float64(36) {
		t.Fatalf("PATCH: %d %v", r.code, r.doc)
	}
	if r = send(t, "DELETE", loc, ""); r.code != 204 {
		t.Fatalf("DELETE: %d %v", r.code, r.doc)
	}
	r = send(t, "GET", loc, "")
	errs, _ := r.doc["errors"].([]any)
	if r.code != 404 || len(errs) != 1 || errs[0].(map[string]any)["status"] != "404" {
		t.Fatalf("GET after DELETE: %d %v", r.code, r.doc)
	}
	if id, _ := errs[0].(map[string]any)["id"].(string); id == "" || id != r.header.Get("X-Request-Id") {
		t.Errorf("error id %q, X-Request-Id %q: want the request id in both", id, r.header.Get("X-Request-Id"))
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
}

func TestMainInProcess(t *testing.T) {
	m := NewMain()
	if err := m.ParseFlags([]string{"-addr", "127.0.0.1:0", "-prefix", "/v1"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	m.Logger = discardLogger()
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if !strings.HasSuffix(m.URL(), "/v1") {
		t.Errorf("URL() = %q, want it to end in /v1", m.URL())
	}
	r := send(t, "GET", m.URL()+"/computer?page[size]=2", "")
	if r.code != 200 || len(r.doc["data"].([]any)) != 2 || r.doc["meta"].(map[string]any)["total"] != float64(3) {
		t.Errorf("GET computers: %d %v", r.code, r.doc)
	}
	if r = send(t, "GET", m.URL()+"/nothing", ""); r.code != 404 {
		t.Errorf("GET unknown route: %d, want 404", r.code)
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestParseFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-nope"}, {"extra"}, {"-addr"},
		{"-db", "a.db", "-dsn", "postgres://x"},
		{"-schema", "s"},
		{"-log-format", "xml"},
		{"-rename", "nope"},
		{"-rename", "a=b", "-rename", "a=c"},
		{"-soft-delete", "nodot"},
		{"-page-size", "5", "-max-page-size", "2"},
		{"-page-size", "-1"},
		{"-shutdown-timeout", "-1s"},
	} {
		if err := NewMain().ParseFlags(args, io.Discard); err == nil {
			t.Errorf("ParseFlags(%q): got no error", args)
		}
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
