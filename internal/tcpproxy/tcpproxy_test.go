package tcpproxy

import (
	"io"
	"net"
	"testing"
)

// A connection accepted just before the test's end, and handled after the
// cleanup closed the others, is closed too, not passed through: its pipes
// would run until a side closed it, and the cleanup would wait for them.
func TestConnectionAcceptedAsStopRunsIsClosed(t *testing.T) {
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	p := Start(t, target.Addr().String())
	p.stop() // as Start's cleanup does

	client, c := net.Pipe()
	defer client.Close()
	p.handle(c) // a connection Accept returned before the listener closed

	p.mu.Lock()
	passed := len(p.conns)
	for _, c := range p.conns { // so that the cleanup does not wait for them
		_ = c.Close()
	}
	p.mu.Unlock()
	if passed != 0 {
		t.Fatalf("passed through to the target after stop: %d connections", passed)
	}
	if _, err := client.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("client read: %v, want io.EOF (closed)", err)
	}
}

// A connection passes through until Cut, which closes it, and a refused
// one gets the greeting.
func TestPassThroughAndCut(t *testing.T) {
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	p := Start(t, target.Addr().String())
	client, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	up, err := target.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	if _, err := io.WriteString(client, "ping"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(up, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("target read %q, %v", buf, err)
	}

	p.Cut(1, "bye")
	if _, err := client.Read(buf); err != io.EOF {
		t.Fatalf("client read after Cut: %v, want io.EOF", err)
	}
	refused, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer refused.Close()
	got, err := io.ReadAll(refused)
	if err != nil || string(got) != "bye" {
		t.Fatalf("refused connection read %q, %v", got, err)
	}
	<-p.Refused()
}
