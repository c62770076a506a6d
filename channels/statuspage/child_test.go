package statuspage

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/outagecast/outagecast/broadcast"
)

// Child processes: the tests start the test binary again with childEnv
// set to a mode, and the directory in childDirEnv.
const (
	childEnv    = "STATUSPAGE_TEST_CHILD"
	childDirEnv = "STATUSPAGE_TEST_DIR"
)

// runChild does a child's work and returns its exit code. Modes:
//
//	loop:<prefix>        send updates until killed, printing each ID once published
//	send:<prefix>:<n>    send n updates, then exit
//	crash:<step>         send one update and SIGKILL itself at that step of the write
//	umask:<octal>        set the process's umask, then send two updates
func runChild(mode string) int {
	ch, err := New(Config{Dir: os.Getenv(childDirEnv), BaseURL: "https://status.example.com/",
		Components: []ComponentInfo{{Name: "API"}, {Name: "CDN"}}, LockTimeout: time.Minute})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	kind, arg, _ := strings.Cut(mode, ":")
	switch kind {
	case "loop":
		for i := 0; ; i++ {
			if err := childSend(ch, arg, i); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
	case "send":
		prefix, count, _ := strings.Cut(arg, ":")
		n, _ := strconv.Atoi(count)
		for i := range n {
			if err := childSend(ch, prefix, i); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return 0
	case "umask":
		mask, err := strconv.ParseUint(arg, 8, 32)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		syscall.Umask(int(mask))
		for i := range 2 {
			if err := childSend(ch, "umask", i); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		return 0
	case "crash":
		ch.hook = func(step string) {
			if step == arg {
				_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // the signal is on its way
			}
		}
		return exitCode(childSend(ch, "crash-"+arg, 0))
	}
	fmt.Fprintln(os.Stderr, "unknown child mode", mode)
	return 2
}

func exitCode(err error) int {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// childSend sends update i of a child: seven incidents, their statuses
// cycling, so that pages are added, changed and resolved. It prints the
// update's ID once the Send returned: the update is published.
func childSend(ch *Channel, prefix string, i int) error {
	statuses := []broadcast.Status{broadcast.StatusInvestigating, broadcast.StatusIdentified,
		broadcast.StatusMonitoring, broadcast.StatusResolved}
	u := ChildUpdate(prefix, i)
	u.Status = statuses[(i/7)%len(statuses)]
	if _, err := ch.Send(context.Background(), broadcast.NewMessage(u)); err != nil {
		return err
	}
	fmt.Println(u.ID)
	return nil
}

// ChildUpdate is update i of the child with the prefix.
func ChildUpdate(prefix string, i int) broadcast.Update {
	return broadcast.Update{
		ID: fmt.Sprintf("%s-%d", prefix, i), IncidentID: fmt.Sprintf("%s-incident-%d", prefix, i%7),
		Title: fmt.Sprintf("Incident %d of %s", i%7, prefix), Status: broadcast.StatusInvestigating,
		Impact: broadcast.ImpactMinor, Body: strings.Repeat("Errors on the API. ", 1+i%5),
		Components: []broadcast.Component{{Name: "API", Status: broadcast.ComponentDegraded}},
		Time:       time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute),
	}
}

// child returns the command of a child process in mode on dir.
func child(t *testing.T, mode, dir string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, childDirEnv+"="+dir)
	return cmd
}
