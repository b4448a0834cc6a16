//go:build unix

package restless_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorestless/restless"
	"github.com/gorestless/restless/internal/demo"
	"github.com/gorestless/restless/sqlite"
)

// killChildEnv names the database file a re-executed test binary serves
// in TestKillServerChild.
const killChildEnv = "RESTLESS_KILL_CHILD"

// TestKillServerChild is the server TestKillMidWrite starts and kills: the
// test binary re-executed with killChildEnv set. Run alone, it does
// nothing.
func TestKillServerChild(t *testing.T) {
	path := os.Getenv(killChildEnv)
	if path == "" {
		t.Skip("run by TestKillMidWrite as a child process")
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	api := &restless.API{DB: db.Reader, WriteDB: db.Writer, Dialect: sqlite.Dialect, Prefix: "/api", BaseURL: testBase,
		Logger: discardLogger()}
	h, err := api.Handler(append(demo.Resources(), demo.Users())...)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Println("ADDR", ln.Addr().String())
	// Serve until killed; a parent that dies without killing leaves stdin
	// closed, which ends the child too.
	go func() {
		buf := make([]byte, 1)
		os.Stdin.Read(buf)
		os.Exit(0)
	}()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	srv.Serve(ln)
}

// killRounds is the number of kills: 3 (2 with -short), or
// RESTLESS_KILL_ROUNDS for a long run.
func killRounds(t *testing.T) int {
	if s := os.Getenv("RESTLESS_KILL_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("RESTLESS_KILL_ROUNDS: %q is not a positive integer", s)
		}
		return n
	}
	if testing.Short() {
		return 2
	}
	return 3
}

// TestKillMidWrite kills a server with SIGKILL while clients create users
// with three friends each (one insert of the user and three of links, in
// one transaction), restarts on the file and checks that it passes
// integrity_check, every acknowledged user is present with its three
// links, and no user is present with only some of them.
func TestKillMidWrite(t *testing.T) {
	if os.Getenv(killChildEnv) != "" {
		t.Skip("in the child")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kill.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec(ctx, demo.Schema+demo.UsersSchema+faultSeed); err != nil {
		t.Fatal(err)
	}
	db.Close()

	acked := map[string]bool{}
	rounds := killRounds(t)
	totalSent := 0
	for round := range rounds {
		sent, ack := killRound(t, path, round)
		totalSent += sent
		for _, id := range ack {
			acked[id] = true
		}
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		var check string
		if err := db.Reader.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Errorf("round %d: integrity_check = %q, %v; want ok", round, check, err)
		}
		rows, err := db.Reader.Query(`SELECT u.email, (SELECT count(*) FROM friendship f WHERE f.user_id = u.email)
			FROM users u WHERE u.email LIKE 'k%'`)
		if err != nil {
			t.Fatal(err)
		}
		present := map[string]bool{}
		for rows.Next() {
			var email string
			var links int
			if err := rows.Scan(&email, &links); err != nil {
				t.Fatal(err)
			}
			present[email] = true
			if links != 3 {
				t.Errorf("round %d: user %s has %d of its 3 links", round, email, links)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		lost := 0
		for id := range acked {
			if !present[id] {
				lost++
				t.Errorf("round %d: acknowledged user %s is missing", round, id)
			}
		}
		t.Logf("round %d: integrity_check %s; %d creates sent, %d acknowledged this round; %d acknowledged in all, %d rows present, %d lost",
			round, check, sent, len(ack), len(acked), len(present), lost)
		db.Close()
	}
	t.Logf("%d kill -9 rounds, %d creates sent, %d acknowledged, 0 lost", rounds, totalSent, len(acked))
}

// killRound starts a server on path, has clients create users until it is
// killed with SIGKILL at a random moment, and returns the number of
// creates sent and the ids of those acknowledged with 201.
func killRound(t *testing.T, path string, round int) (int, []string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillServerChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), killChildEnv+"="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := ""
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
			addr = a
			break
		}
		if strings.HasPrefix(sc.Text(), "ERROR") {
			t.Fatalf("child: %s", sc.Text())
		}
	}
	if addr == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child printed no address")
	}
	go func() {
		for sc.Scan() {
		}
	}()

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	defer client.CloseIdleConnections()
	var (
		mu   sync.Mutex
		ack  []string
		sent int
		wg   sync.WaitGroup
	)
	stop := make(chan struct{})
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; ; seq++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("k%d-%d-%d@x", round, w, seq)
				body := fmt.Sprintf(`{"data":{"type":"users","id":%q,"attributes":{"gender":"x"},"relationships":{"friends":{"data":[`+
					`{"type":"users","id":"a@x"},{"type":"users","id":"b@x"},{"type":"users","id":"c@x"}]}}}}`, id)
				req, _ := http.NewRequest("POST", "http://"+addr+"/api/users", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/vnd.api+json")
				mu.Lock()
				sent++
				mu.Unlock()
				resp, err := client.Do(req)
				if err != nil {
					// The server is gone.
					return
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated {
					mu.Lock()
					ack = append(ack, id)
					mu.Unlock()
				} else {
					t.Errorf("create %s: status %d", id, resp.StatusCode)
				}
			}
		}()
	}
	time.Sleep(time.Duration(150+mrand.IntN(350)) * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("child ended with %v, want killed by SIGKILL", err)
	}
	close(stop)
	wg.Wait()
	return sent, ack
}
