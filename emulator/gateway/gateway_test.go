package gateway

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestNewIDShape(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := NewID()
		if len(id) != 16 || !strings.HasSuffix(id, "=") || strings.ContainsAny(id, "+/") || seen[id] {
			t.Fatalf("id %q", id)
		}
		if _, err := base64.URLEncoding.DecodeString(id); err != nil {
			t.Fatalf("id %q is not URL-safe base64: %v", id, err)
		}
		seen[id] = true
	}
}

func TestErrorFrameShape(t *testing.T) {
	got := errorFrame("Bad request body", "L0SM9cOFvHcCIhw=", "L0SNNG3-vHcFeHw=")
	want := `{"message": "Bad request body", "connectionId":"L0SM9cOFvHcCIhw=", "requestId":"L0SNNG3-vHcFeHw="}`
	if got != want {
		t.Fatalf("got %s", got)
	}
}

func TestRouteSelection(t *testing.T) {
	g := New(Config{RouteSelection: "$request.body.action", Routes: map[string]*Route{"$default": {}, "join": {}}})
	defer g.Close()
	cases := map[string]string{
		`{"action":"join"}`:       "join",
		`{"action":"other"}`:      "$default",
		`{"action":5}`:            "$default",
		`{"noaction":"join"}`:     "$default",
		`join`:                    "$default",
		`{"action":"join"} trail`: "$default",
		`{"action":"$connect"}`:   "$default",
		`[{"action":"join"}]`:     "$default",
	}
	for body, want := range cases {
		if got := g.selectRoute(body); got != want {
			t.Errorf("%s -> %s, want %s", body, got, want)
		}
	}
	nested := New(Config{RouteSelection: "$request.body.meta.kind", Routes: map[string]*Route{"$default": {}, "x": {}}})
	defer nested.Close()
	if got := nested.selectRoute(`{"meta":{"kind":"x"}}`); got != "x" {
		t.Errorf("nested selection: %s", got)
	}
}

func TestFrameSniffer(t *testing.T) {
	var big int
	c := &sniffConn{limit: 100, onBig: func() { big++ }}
	frame := func(n int) []byte {
		var h []byte
		switch {
		case n < 126:
			h = []byte{0x81, 0x80 | byte(n)}
		case n < 65536:
			h = []byte{0x81, 0x80 | 126, byte(n >> 8), byte(n)}
		}
		h = append(h, 1, 2, 3, 4) // mask key
		return append(h, make([]byte, n)...)
	}
	stream := append(append(frame(100), frame(50)...), frame(101)...)
	// Feed it in awkward pieces: headers split across reads.
	for i := 0; i < len(stream); i += 3 {
		end := i + 3
		if end > len(stream) {
			end = len(stream)
		}
		c.scan(stream[i:end])
	}
	if big != 1 {
		t.Fatalf("oversize frames detected: %d, want 1", big)
	}
	c2 := &sniffConn{limit: 100, onBig: func() { big++ }}
	c2.scan(append(frame(100), frame(99)...))
	if big != 1 {
		t.Fatal("frames within the limit flagged")
	}
}

// The connection exists for @connections as soon as the client has its
// 101: a function that posts right after $connect must not get a 410.
// Before the connection was registered ahead of the handshake this failed
// within a few dozen connections.
func TestConnectionKnownWhenHandshakeEnds(t *testing.T) {
	ids := make(chan string, 1)
	g := New(Config{Stage: "prod", Routes: map[string]*Route{"$default": {}},
		OnConnect: func(c *Conn) error { ids <- c.ID; return nil }})
	srv := httptest.NewServer(g)
	defer srv.Close()
	defer g.Close()
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/prod"
	for i := 0; i < 300; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, _, err := websocket.Dial(ctx, wsURL, nil)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		id := <-ids
		resp, err := http.Post(srv.URL+"/prod/@connections/"+url.PathEscape(id), "application/octet-stream", strings.NewReader("hi"))
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			cancel()
			t.Fatalf("connection %d: POST right after the handshake answered %d", i, resp.StatusCode)
		}
		if _, b, err := c.Read(ctx); err != nil || string(b) != "hi" {
			cancel()
			t.Fatalf("connection %d: read %q, %v", i, b, err)
		}
		c.CloseNow()
		cancel()
	}
}
