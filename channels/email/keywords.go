package email

import (
	"bytes"
	"net"
	"sync"
)

// keywordCase is a connection in plain text on which the client reads the
// keywords of the server's EHLO reply in upper case, and the mechanisms
// of its AUTH line: RFC 5321 section 2.4
// (https://www.rfc-editor.org/rfc/rfc5321#section-2.4) has the keywords
// case-insensitive, but go-mail (v0.8.1, smtp/smtp_ehlo.go) keeps each
// as the server wrote it and looks it up in upper case, and looks for
// the mechanisms in upper case too (client.go, auth), so a server that
// lists "starttls" or "auth plain" offered nothing it could find: the
// channel failed for good, saying the server offers no STARTTLS, or no
// AUTH and to stop logging in. Only the lines of a 250 reply to EHLO
// after its first (the server's name) change, each letter a-z to A-Z, so
// no byte moves, and only of the reply to the connection's first
// command, go-mail's EHLO: once that reply has ended, or the client has
// written anything else (HELO, STARTTLS, whose TLS go-mail reads through
// its own tls.Conn over this one, or, with TLSPlaintext, the rest of the
// session, whose message text may hold a line "EHLO …"), the connection
// changes nothing more. The EHLO reply inside TLS, with its AUTH, keeps
// its case, and lower noted that the server wrote its keywords or its
// AUTH mechanisms in lower case before, for the error to say so (see
// lowerCaseAuth).
type keywordCase struct {
	net.Conn
	mu       sync.Mutex
	ehlo     bool    // reading the reply to the first command, an EHLO
	off      bool    // past that reply, or its command was no EHLO: nothing changes
	col      int     // of the byte read next, in its line
	line     int     // of the reply, from 0
	code     [3]byte // of the line being read
	final    bool    // the line being read is the reply's last ("250 ")
	inParams bool    // past the keyword of the line
	keyword  []byte  // the line's keyword as read, upper-cased, up to 16 bytes
	lower    bool    // a keyword, or an AUTH mechanism, came in lower case
}

// Write notes the first command, an EHLO, whose reply Read then changes;
// any other write ends the changes for good.
func (k *keywordCase) Write(p []byte) (int, error) {
	k.mu.Lock()
	if !k.off && !k.ehlo && hasVerb(p, "EHLO") {
		k.ehlo = true
	} else {
		k.off, k.ehlo = true, false
	}
	k.mu.Unlock()
	return k.Conn.Write(p)
}

// hasVerb reports whether p, what the client writes, begins with the
// command verb (go-mail writes each command whole, with its line end).
func hasVerb(p []byte, verb string) bool {
	return len(p) > len(verb) && bytes.EqualFold(p[:len(verb)], []byte(verb)) &&
		(p[len(verb)] == ' ' || p[len(verb)] == '\r')
}

// Read reads, changing the keywords of an EHLO reply as Write noted it.
func (k *keywordCase) Read(p []byte) (int, error) {
	n, err := k.Conn.Read(p)
	k.mu.Lock()
	defer k.mu.Unlock()
	for i := 0; i < n && k.ehlo; i++ {
		k.step(&p[i])
	}
	return n, err
}

// step reads the byte *b of an EHLO reply, and upper-cases it when it is
// in a keyword, or in the mechanisms of an AUTH line.
func (k *keywordCase) step(b *byte) {
	c := *b
	switch {
	case c == '\n':
		if k.final {
			k.off, k.ehlo = true, false
		}
		k.col, k.line, k.final, k.inParams, k.keyword = 0, k.line+1, false, false, k.keyword[:0]
		return
	case k.col < 3:
		k.code[k.col] = c
	case k.col == 3:
		k.final = c != '-'
	case k.line == 0 || string(k.code[:]) != "250" || c == '\r':
	case !k.inParams && c == ' ':
		k.inParams = true
	case !k.inParams || string(k.keyword) == "AUTH":
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
			*b = c
			k.lower = true
		}
		if !k.inParams && len(k.keyword) < 16 {
			k.keyword = append(k.keyword, c)
		}
	}
	k.col++
}

// wroteLower reports whether the server wrote an EHLO keyword, or an
// AUTH mechanism, in lower case on this connection, before any STARTTLS.
func (k *keywordCase) wroteLower() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lower
}
