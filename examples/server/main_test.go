package main

import (
	"os"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// childEnv, when set, makes the test binary the server itself, with the
// arguments in it: a test runs the program as a process of its own, to
// send it signals.
const childEnv = "OUTAGECAST_SERVER_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(childEnv); ok {
		os.Args = append(os.Args[:1], strings.Fields(args)...)
		main()
		return
	}
	goleak.VerifyTestMain(m)
}
