package boltstore_test

// The damaged-file test: a store holding marks and receipts is copied a few
// hundred times, each copy damaged in one way — truncated, a page zeroed or
// overwritten with random bytes, or replaced by a file of another kind. A
// child process (this test binary, run again) opens each copy and calls
// every method of the Store, and damages the file of a store it has open in
// the same way and calls them again. A fatal fault (SIGBUS) ends the child,
// not the test run: the test reports the damage the child was trying and
// starts a new child at the next one.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
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

	"github.com/stretchr/testify/require"

	"github.com/outagecast/outagecast/broadcast"
	"github.com/outagecast/outagecast/broadcast/boltstore"
)

const (
	damageEnv  = "BOLTSTORE_DAMAGE_CHILD" // set in the child: its damageConfig as JSON
	damageHang = 30 * time.Second         // a child that takes longer over one damage has hung
)

var damageSeed = flag.Uint64("damage.seed", 0, "seed of TestDamagedFiles' random damage; 0 picks one")

// damageConfig is what the child needs.
type damageConfig struct {
	Sample string // the undamaged store
	Dir    string // for the damaged copies
	Seed   uint64
	From   int  // the first damage to try
	V1     bool // the sample is of format version 1, migrated by Open
}

// TestDamagedFiles damages a store of the current format, and one of
// format version 1, which Open migrates.
func TestDamagedFiles(t *testing.T) {
	seed := *damageSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d; to run these damages again: go test -run 'TestDamagedFiles' -damage.seed=%d", seed, seed)
	for _, v1 := range []bool{false, true} {
		t.Run(map[bool]string{false: "current format", true: "format 1"}[v1], func(t *testing.T) {
			testDamagedFiles(t, seed, v1)
		})
	}
}

func testDamagedFiles(t *testing.T, seed uint64, v1 bool) {
	dir := t.TempDir()
	sample := filepath.Join(dir, "sample.db")
	writeSample(t, sample, v1)
	data, err := os.ReadFile(sample)
	require.NoError(t, err)
	ds := damages(seed, data)
	require.Greater(t, len(ds), 200)
	t.Logf("%d damaged copies of a %d-byte store", len(ds), len(data))

	results := runDamageChildren(t, damageConfig{Sample: sample, Dir: dir, Seed: seed, V1: v1}, len(ds))
	outcomes := map[string]int{}
	for i, d := range ds {
		switch r, ok := results[i]; {
		case !ok:
			t.Errorf("seed %d, damage %d (%s): no result", seed, i, d.Name)
		case strings.HasPrefix(r, "ok "):
			for _, o := range strings.Fields(r)[1:] {
				outcomes[o]++
			}
		default:
			t.Errorf("seed %d, damage %d (%s): %s", seed, i, d.Name, r)
		}
	}
	t.Logf("outcomes: %v", outcomes)
}

// runDamageChildren runs children until every damage has a result: "ok"
// and the outcomes when the Store handled it, else what went wrong.
func runDamageChildren(t *testing.T, cfg damageConfig, n int) map[int]string {
	t.Helper()
	results := map[int]string{}
	for cfg.From < n {
		started, died := runDamageChild(t, cfg, results)
		if started < 0 {
			break // all done
		}
		results[started] = died
		cfg.From = started + 1
	}
	return results
}

// runDamageChild runs one child from cfg.From, records its results and
// returns the damage it was trying when it died or hung (-1 if it did not)
// and what happened.
func runDamageChild(t *testing.T, cfg damageConfig, results map[int]string) (int, string) {
	env, err := json.Marshal(cfg)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), damageEnv+"="+string(env))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = damageHang
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := make(chan string)
	go func() {
		defer close(lines)
		for sc := bufio.NewScanner(stdout); sc.Scan(); {
			lines <- sc.Text()
		}
	}()

	started, hung := -1, false
	watchdog := time.NewTimer(damageHang)
	defer watchdog.Stop()
	for done := false; !done; {
		select {
		case line, ok := <-lines:
			done = !ok
			if ok {
				started = damageResult(t, line, started, results)
				watchdog.Reset(damageHang)
			}
		case <-watchdog.C:
			// SIGQUIT makes the child print where its goroutines were.
			hung = true
			require.NoError(t, cmd.Process.Signal(syscall.SIGQUIT))
		}
	}
	runErr := cmd.Wait()
	switch {
	case hung:
		return started, fmt.Sprintf("the child hung (stopped after %v): %s", damageHang, firstLines(stderr.String(), 60))
	case runErr != nil && started < 0:
		t.Fatalf("the child failed outside any damage: %v\n%s", runErr, stderr.String())
	}
	return started, "the child process died: " + firstLines(stderr.String(), 12)
}

// damageResult records a line of the child's output and returns the
// damage under way.
func damageResult(t *testing.T, line string, started int, results map[int]string) int {
	verb, rest, _ := strings.Cut(line, " ")
	num, msg, _ := strings.Cut(rest, " ")
	i, err := strconv.Atoi(num)
	require.NoError(t, err, "child output %q", line)
	switch verb {
	case "start":
		return i
	case "ok":
		results[i] = "ok " + msg
	case "fail":
		results[i] = msg
	default:
		t.Fatalf("child output %q", line)
	}
	return -1
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// damageChildRequested reports whether this process is TestDamagedFiles'
// child.
func damageChildRequested() bool { return os.Getenv(damageEnv) != "" }

// runDamageChildProcess tries each damage from cfg.From on and reports each
// on stdout: "start i" before, then "ok i outcomes..." or "fail i why". It
// returns the process's exit code.
func runDamageChildProcess() int {
	var cfg damageConfig
	if err := json.Unmarshal([]byte(os.Getenv(damageEnv)), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "damage child:", err)
		return 2
	}
	sample, err := os.ReadFile(cfg.Sample)
	if err != nil {
		fmt.Fprintln(os.Stderr, "damage child:", err)
		return 2
	}
	ds := damages(cfg.Seed, sample)
	for i := cfg.From; i < len(ds); i++ {
		fmt.Printf("start %d\n", i)
		outcomes, err := tryDamage(filepath.Join(cfg.Dir, fmt.Sprintf("damaged-%d.db", i)), sample, ds[i], cfg.V1)
		if err != nil {
			fmt.Printf("fail %d %s\n", i, strings.ReplaceAll(err.Error(), "\n", " "))
		} else {
			fmt.Printf("ok %d %s\n", i, strings.Join(outcomes, " "))
		}
	}
	return 0
}

// tryDamage checks Open on the damaged copy, with each set of options, and
// a store whose file is damaged while it is open. It returns the outcome of
// each, as "mode:outcome". A sample of format version 1 is only opened
// damaged: once open, it is a store of the current format.
func tryDamage(path string, sample []byte, d damage, v1 bool) ([]string, error) {
	damaged := d.apply(sample)
	want := wantSample(v1)
	var outcomes []string
	for _, o := range damageOptions {
		if err := os.WriteFile(path, damaged, 0o600); err != nil {
			return nil, err
		}
		outcome, err := openDamaged(path, damaged, o.opts, want)
		if err != nil {
			return nil, fmt.Errorf("Open with %s: %w", o.name, err)
		}
		outcomes = append(outcomes, o.name+":"+outcome)
	}
	if v1 {
		return outcomes, nil
	}
	if err := os.WriteFile(path, sample, 0o600); err != nil {
		return nil, err
	}
	outcome, err := damageWhileOpen(path, damaged, want)
	if err != nil {
		return nil, fmt.Errorf("damaged while open: %w", err)
	}
	return append(outcomes, "while-open:"+outcome), nil
}

var damageOptions = []struct {
	name string
	opts *boltstore.Options
}{
	{"default", nil},
	{"verify", &boltstore.Options{Verify: true}},
}

// openDamaged opens the damaged file at path: either Open fails with a
// clear error and leaves the file as it was ("refused"), or every call of
// the Store answers, correctly or with an error ("found" if one failed,
// "unharmed" if none did). With Options.Verify, and when Open migrates a
// file of format version 1, an Open that succeeds has found no damage that
// a call would find.
func openDamaged(path string, damaged []byte, opts *boltstore.Options, want sample) (outcome string, err error) {
	defer catchPanic(&err)
	s, err := boltstore.Open(path, opts)
	if err != nil {
		if err := checkDamageError(path, err); err != nil {
			return "", err
		}
		if now, _ := os.ReadFile(path); !bytes.Equal(now, damaged) {
			return "", errors.New("Open failed but changed the file")
		}
		return "refused", nil
	}
	defer closeStore(s, &err)
	outcome, err = useStore(s, want)
	if err == nil && outcome == "found" && opts != nil && opts.Verify {
		return "", errors.New("Open with Options.Verify succeeded, then a call found damage")
	}
	if err == nil && outcome == "found" && want.v1 {
		return "", errors.New("Open migrated a damaged file of format version 1: it reads every page first")
	}
	return outcome, err
}

// damageWhileOpen opens the undamaged store at path, damages its file, and
// calls every method of the Store.
func damageWhileOpen(path string, damaged []byte, want sample) (outcome string, err error) {
	defer catchPanic(&err)
	s, err := boltstore.Open(path, nil)
	if err != nil {
		return "", fmt.Errorf("open the undamaged store: %w", err)
	}
	defer closeStore(s, &err)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return "", err
	}
	_, err = f.WriteAt(damaged, 0)
	err = errors.Join(err, f.Truncate(int64(len(damaged))), f.Close())
	if err != nil {
		return "", err
	}
	return useStore(s, want)
}

func catchPanic(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("panic: %v", r)
	}
}

func closeStore(s *boltstore.Store, err *error) {
	if cerr := s.Close(); cerr != nil && *err == nil {
		*err = fmt.Errorf("close: %w", cerr)
	}
}

// checkDamageError checks that Open's error on a damaged file says what is
// wrong with which file and what to do about it.
func checkDamageError(path string, err error) error {
	msg := err.Error()
	switch {
	case !errors.Is(err, boltstore.ErrInvalidFile):
		return fmt.Errorf("Open's error does not match ErrInvalidFile: %v", err)
	case !strings.Contains(msg, path):
		return fmt.Errorf("Open's error does not name the file: %v", err)
	case !strings.Contains(msg, "damaged") && !strings.Contains(msg, "not an outagecast store file"):
		return fmt.Errorf("Open's error does not say the file is damaged: %v", err)
	case !strings.Contains(msg, "backup") || !strings.Contains(msg, "sent again"):
		return fmt.Errorf("Open's error does not say what to do: %v", err)
	}
	return nil
}

// useStore calls every method of s. Reads of the sample's marks, threads
// and receipts must answer correctly or fail, with an error matching
// ErrDamaged: a mark reported missing without an error would make the
// Broadcaster send that update again. Writes may fail, but what they
// report written must read back. The outcome is "found" when a call
// failed, "unharmed" when none did.
func useStore(s *boltstore.Store, want sample) (string, error) {
	errs, err := readSample(s, want)
	if err != nil {
		return "", err
	}
	ctx := context.Background()
	if err := s.Mark(ctx, "u-new", "email", "new@example.com", nil); err == nil {
		if done, _, err := s.Done(ctx, "u-new", "email", "new@example.com"); err == nil && !done {
			return "", errors.New("a Mark that succeeded is not done")
		}
	} else {
		errs = append(errs, err)
	}
	if err := s.SaveReceipt(ctx, "inc-0", "u-new", broadcast.Receipt{Channel: "email", ID: "new"}); err == nil {
		th, err := s.Thread(ctx, "inc-0", "email")
		if err == nil && (th.Last.ID != "new" || th.Root.ID != want.threads[0].root) {
			return "", fmt.Errorf("a SaveReceipt that succeeded does not read back: thread %q, %q", th.Root.ID, th.Last.ID)
		}
		if r, _, err := s.Receipt(ctx, "u-new", "email"); err == nil && r.ID != "new" {
			return "", errors.New("a SaveReceipt that succeeded does not read back: receipt")
		}
	} else {
		errs = append(errs, err)
	}
	m := sampleMarks()[0]
	errs = append(errs, s.Mark(ctx, m.update, m.channel, m.target, nil))
	_, err = s.Prune(ctx, time.Time{}) // scans everything, removes nothing
	errs = append(errs, err)
	return damageOutcome(errs)
}

// readSample reads every mark, thread and receipt of the sample, and
// returns the errors of the reads, or an error when a read answered
// wrongly without one.
func readSample(s *boltstore.Store, want sample) ([]error, error) {
	ctx := context.Background()
	var errs []error
	for _, m := range sampleMarks() {
		done, failure, err := s.Done(ctx, m.update, m.channel, m.target)
		if errs = append(errs, err); err == nil && (!done || failure != m.failure) {
			return nil, fmt.Errorf("Done(%s, %s, %s) = %v, %q without an error, want true, %q",
				m.update, m.channel, m.target, done, failure, m.failure)
		}
	}
	for _, w := range want.threads {
		th, err := s.Thread(ctx, w.incident, w.channel)
		if errs = append(errs, err); err == nil && (th.Root.ID != w.root || th.Last.ID != w.last) {
			return nil, fmt.Errorf("Thread(%s, %s) = %q, %q without an error, want %q, %q",
				w.incident, w.channel, th.Root.ID, th.Last.ID, w.root, w.last)
		}
	}
	for _, w := range want.receipts {
		r, found, err := s.Receipt(ctx, w.update, w.receipt.Channel)
		if errs = append(errs, err); err == nil && (r.ID != w.receipt.ID || found != (w.receipt.ID != "")) {
			return nil, fmt.Errorf("Receipt(%s, %s) = %q, %v without an error, want %q",
				w.update, w.receipt.Channel, r.ID, found, w.receipt.ID)
		}
	}
	return errs, nil
}

// damageOutcome checks that every error of a call says the file is
// damaged.
func damageOutcome(errs []error) (string, error) {
	outcome := "unharmed"
	for _, err := range errs {
		if err == nil {
			continue
		}
		if !errors.Is(err, boltstore.ErrDamaged) {
			return "", fmt.Errorf("a call failed with %v, not ErrDamaged", err)
		}
		outcome = "found"
	}
	return outcome, nil
}
