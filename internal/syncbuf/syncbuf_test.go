package syncbuf

import (
	"strings"
	"sync"
	"testing"
)

// Writes and reads at once keep every byte written (go test -race checks
// they do not race).
func TestConcurrentWriteAndString(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				_, _ = b.Write([]byte("x"))
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if got := b.String(); got != strings.Repeat("x", 400) {
		t.Fatalf("got %d bytes, want 400", len(got))
	}
}
