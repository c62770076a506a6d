package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A body file saved by a Windows editor starts with a UTF-8 byte-order
// mark, no part of the text: "-body -" drops it, so that no channel posts
// it and the update is the one the same text without it makes (else a
// re-run with the file saved again would post the update twice).
func TestBodyFromStdinDropsAByteOrderMark(t *testing.T) {
	send := func(stdin string) (stderr string, rep jsonReport) {
		t.Helper()
		r := announce(t, context.Background(), stdin, "-quiet", "-json", "-title", "T", "-status", "identified", "-body", "-")
		require.Equal(t, exitOK, r.code, r.stderr)
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
		return r.stderr, rep
	}
	_, plain := send("A config push is rolled back.\n")
	out, marked := send("\uFEFFA config push is rolled back.\r\n")
	assert.Contains(t, out, "Identified: T\n\nA config push is rolled back.\n", "the console's text")
	assert.Equal(t, plain.UpdateID, marked.UpdateID)
}

// So do -body and -advice given the text of such a file ("$(cat
// body.txt)"), which the shell passes on with its byte-order mark.
func TestTextFlagsDropAByteOrderMark(t *testing.T) {
	send := func(body, advice string) (stdout string, rep jsonReport) {
		t.Helper()
		r := announce(t, context.Background(), "", "-quiet", "-json", "-title", "T", "-status", "identified",
			"-body", body, "-advice", advice)
		require.Equal(t, exitOK, r.code, r.stderr)
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
		return r.stderr, rep
	}
	_, plain := send("A config push is rolled back.", "Retry failed uploads.")
	out, marked := send("\uFEFFA config push is rolled back.", "\uFEFFRetry failed uploads.")
	assert.NotContains(t, out, "\uFEFF", "the console's text")
	assert.Equal(t, plain.UpdateID, marked.UpdateID)
}

// -advice - is refused, naming the flag: only -body - reads standard
// input, and a "-" would go out as the advice on every channel.
func TestAdviceDashRefused(t *testing.T) {
	r := announce(t, context.Background(), "Retry failed uploads.\n", "-title", "T", "-status", "identified", "-advice", "-")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `-advice: "-" (only -body - reads standard input)`)
	assert.NotContains(t, r.stdout, "Identified")
}
