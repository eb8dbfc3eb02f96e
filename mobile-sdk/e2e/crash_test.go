package e2e_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	sdk "github.com/ordinatorhq/ordinator/mobile-sdk"
	"github.com/ordinatorhq/ordinator/mobile-sdk/sdktest"
	"github.com/ordinatorhq/ordinator/syncengine"
)

// The crash test re-runs this test binary as a child that writes and syncs
// until it is killed; these variables tell the child what to do.
const (
	crashChildEnv = "ORDINATOR_SDK_CRASH_CHILD"
	crashURLEnv   = "ORDINATOR_SDK_CRASH_URL"
	crashTokenEnv = "ORDINATOR_SDK_CRASH_TOKEN"
	crashDirEnv   = "ORDINATOR_SDK_CRASH_DIR"
	crashRoundEnv = "ORDINATOR_SDK_CRASH_ROUND"
)

// crashChild opens the replica, syncs in the background and writes notes
// as fast as it can, logging each id once its write has committed, until
// the parent kills it.
func crashChild() int {
	dir := os.Getenv(crashDirEnv)
	round := os.Getenv(crashRoundEnv)
	r, err := sdk.Open(context.Background(), sdk.Options{
		Dir:        dir,
		ServerURL:  os.Getenv(crashURLEnv),
		Tokens:     sdk.StaticToken(os.Getenv(crashTokenEnv)),
		Schema:     sdktest.Schema(),
		MinBackoff: 5 * time.Millisecond,
		MaxBackoff: 50 * time.Millisecond,
		PushBatch:  7, // many small pushes: more instants to be killed at
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	if err := r.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	log, err := os.OpenFile(filepath.Join(dir, "written.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	for i := 0; ; i++ {
		note := fmt.Sprintf("r%s-%05d", round, i)
		if _, err := r.Mutate(context.Background(), "note.put", sdktest.Args(note, "crash", "room:a")); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 1
		}
		// A write(2) survives SIGKILL: the log holds every committed write,
		// except possibly the very last.
		log.WriteString(note + "\n")
		if rand.IntN(4) == 0 {
			time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
		}
	}
}

// TestCrash kills a child process at random instants while it writes and
// syncs, several times over, then reopens the replica and checks on the
// server that every committed write arrived exactly once.
func TestCrash(t *testing.T) {
	s := newServer(t, serverConfig{})
	s.h.Grant("u1", "room:a")
	dir := t.TempDir()
	token := "crash-token"
	s.auth.add(token, "u1", "crash-device")
	rounds := 6
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(),
			crashChildEnv+"=1", crashURLEnv+"="+s.url(), crashTokenEnv+"="+token,
			crashDirEnv+"="+dir, crashRoundEnv+"="+strconv.Itoa(round))
		out := &strings.Builder{}
		cmd.Stderr, cmd.Stdout = out, out
		must(t, cmd.Start())
		// Wait until it has committed a write of this round (a loaded
		// machine may take seconds to start it), let it write and sync
		// a while longer, then kill it at a random instant: mid-write,
		// mid-push, mid-pull or in between.
		if !logHas(filepath.Join(dir, "written.log"), fmt.Sprintf("r%d-", round), time.Minute) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d: the child committed no write in a minute:\n%s", round, out)
		}
		time.Sleep(time.Duration(100+rand.IntN(700)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("round %d: the child exited on its own (%v):\n%s", round, err, out)
		}
	}
	logged := readLog(t, filepath.Join(dir, "written.log"))
	if len(logged) < rounds {
		t.Fatalf("the children logged only %d writes", len(logged))
	}

	d := s.device(t, "u1", dir, func(o *sdk.Options) { o.Tokens = sdk.StaticToken(token) })
	ctx := context.Background()
	for i := 0; d.Status().Pending > 0 || i == 0; i++ {
		must(t, d.Sync(ctx))
		if i > 20 {
			t.Fatalf("outbox still holds %d mutations", d.Status().Pending)
		}
	}
	server := s.h.ServerNotes()
	for _, n := range logged {
		if _, ok := server[n]; !ok {
			t.Fatalf("committed write %s never reached the server", n)
		}
	}
	for n, payload := range server {
		note, err := sdktest.ParseNote([]byte(payload))
		must(t, err)
		if note.Version != 1 {
			t.Fatalf("note %s was applied %d times", n, note.Version)
		}
	}
	// The server applied each mutation once, under consecutive seqs.
	seqs := outcomeSeqs(t, s, d.ClientID())
	for i, seq := range seqs {
		if seq != int64(i+1) {
			t.Fatalf("outcome seqs are not 1..%d: %v", len(seqs), seqs)
		}
	}
	if len(seqs) != len(server) {
		t.Fatalf("%d outcomes for %d notes", len(seqs), len(server))
	}
	if !converged(t, s, d) {
		t.Fatal("the reopened replica did not converge")
	}
	checkChecksums(t, s, d, "u1")
	t.Logf("%d rounds: %d writes logged, %d on the server, all exactly once", rounds, len(logged), len(server))
}

func readLog(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out = append(out, line)
		}
	}
	return out
}

func outcomeSeqs(t testing.TB, s *server, clientID string) []int64 {
	t.Helper()
	var seqs []int64
	err := s.store.View(context.Background(), func(q syncengine.Querier) error {
		rows, err := q.Query(context.Background(), `SELECT seq FROM sync_outcomes WHERE client_id = $1 ORDER BY seq`, clientID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var seq int64
			if err := rows.Scan(&seq); err != nil {
				return err
			}
			seqs = append(seqs, seq)
		}
		return rows.Err()
	})
	must(t, err)
	return seqs
}

// logHas waits up to timeout for the child's log to hold a line starting
// with prefix.
func logHas(path, prefix string, timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil && (strings.HasPrefix(string(b), prefix) || strings.Contains(string(b), "\n"+prefix)) {
			return true
		}
	}
	return false
}
