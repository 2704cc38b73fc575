package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/wsqgen/wsqgen/generator"
)

// The end-to-end tests below run every golden project as `wsqgen dev` does:
// its own request template, model and answers, and its real function built
// from the generated Go code, talking to the emulator through the AWS SDK.

// generatedReply is the frame the generated function posts.
type generatedReply struct {
	RequestID string `json:"requestId"`
	MessageID string `json:"messageId"`
	Result    string `json:"result"` // the default processor echoes the body
}

type goldenProject struct {
	name string
	dir  string
	rec  generator.Record
	cfg  Config
}

var (
	buildOnce sync.Map // dir -> *builtFunction
)

type builtFunction struct {
	once sync.Once
	path string
	err  error
}

func goldenProjects(t testing.TB) []goldenProject {
	t.Helper()
	dirs, err := filepath.Glob("../golden/*")
	if err != nil {
		t.Fatal(err)
	}
	var out []goldenProject
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "lambda", "main.go")); err != nil {
			continue
		}
		rec, err := generator.ReadRecord(dir)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := ProjectConfig(dir)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, goldenProject{filepath.Base(dir), dir, rec, cfg})
	}
	if len(out) < 4 {
		t.Fatalf("found %d golden projects with a function, want at least 4", len(out))
	}
	return out
}

// startProject builds the project's function (once per test binary) and
// starts the emulator on it.
func startProject(t *testing.T, p goldenProject, edit func(*Config)) (*Emulator, *syncBuf) {
	t.Helper()
	cfg := p.cfg
	cfg.Function.Path = buildGolden(t, p.dir)
	// Short timers keep retries quick; the semantics are the project's.
	// Lambda refuses a function timeout above the visibility timeout, and
	// the generated function stops 2 s before its deadline.
	cfg.VisibilityTimeout = 4 * time.Second
	cfg.FunctionTimeout = 4 * time.Second
	// Messages wait in a poller during the batching window with their
	// visibility timeout running; AWS asks for a visibility timeout above
	// function timeout plus window, or another poller (the project runs
	// DefaultConcurrency of them) receives them again.
	cfg.VisibilityTimeout += cfg.BatchWindow
	if edit != nil {
		edit(&cfg)
	}
	return start(t, cfg)
}

// frame wraps a payload the way the project's request model wants it.
func frame(p goldenProject, text string) string {
	m := map[string]string{"text": text}
	if p.rec.Answers.GroupBy == "field" {
		m["MessageGroupId"] = "g1"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func readGenerated(t *testing.T, c *websocket.Conn) generatedReply {
	t.Helper()
	s := read(t, c)
	var r generatedReply
	if err := json.Unmarshal([]byte(s), &r); err != nil || r.RequestID == "" || r.MessageID == "" {
		t.Fatalf("not a reply of the generated function: %s", s)
	}
	return r
}

// readAck reads the immediate answer of a two-way route, if the project has one.
func readAck(t *testing.T, p goldenProject, c *websocket.Conn) {
	t.Helper()
	if !p.rec.Answers.Ack {
		return
	}
	s := read(t, c)
	if !strings.Contains(s, `"type":"ack"`) || !strings.Contains(s, `"messageId":"`) {
		t.Fatalf("want an ack frame, got %s", s)
	}
}

func TestGoldenProjectsEndToEnd(t *testing.T) {
	hostile := []string{
		`& = + % # ' " \`,
		"newlines\nand\r\ntabs\t",
		"emoji 😀🎉 中文",
		"x&MessageDeduplicationId=x&MessageAttribute.1.Name=connectionId&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=victim",
	}
	for _, p := range goldenProjects(t) {
		t.Run(p.name, func(t *testing.T) {
			e, logs := startProject(t, p, nil)
			c := dial(t, e)

			// Malformed frames are refused at the edge as AWS would.
			send(t, c, "not json")
			if s := read(t, c); !strings.Contains(s, `"message": "Bad request body"`) && !strings.Contains(s, `"message":"Bad request body"`) {
				t.Fatalf("non-JSON frame: got %s", s)
			}

			var frames []string
			for _, h := range hostile {
				frames = append(frames, frame(p, h))
			}
			for _, f := range frames {
				send(t, c, f)
				readAck(t, p, c)
			}
			if p.rec.Answers.Reply == "none" {
				waitFor(t, func() bool { st := e.Inspect(); return st.Queue.Stats.Deleted == len(frames) })
				if st := e.Inspect(); st.Gateway.PostOK != 0 {
					t.Errorf("reply none: the function posted %d frames", st.Gateway.PostOK)
				}
				return
			}
			got := map[string]bool{}
			for range frames {
				r := readGenerated(t, c)
				got[r.Result] = true
			}
			for _, f := range frames {
				if !got[f] {
					t.Errorf("frame did not come back byte-identical: %q\nlog:\n%s", f, logs.String())
				}
			}
			waitFor(t, func() bool { return len(e.Inspect().Queue.Messages) == 0 })
			st := e.Inspect()
			if st.Queue.Stats.Sent != len(frames) || len(st.DLQ.Messages) != 0 {
				t.Errorf("sent %d, dead-lettered %d, want %d and 0", st.Queue.Stats.Sent, len(st.DLQ.Messages), len(frames))
			}
		})
	}
}

func TestGoldenBroadcastReachesEveryClient(t *testing.T) {
	for _, p := range goldenProjects(t) {
		if p.rec.Answers.Reply != "broadcast" {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			e, _ := startProject(t, p, nil)
			var clients []*websocket.Conn
			for i := 0; i < 4; i++ {
				clients = append(clients, dial(t, e))
			}
			waitFor(t, func() bool { return len(e.Inspect().Registry) == 4 })
			send(t, clients[0], frame(p, "to everyone"))
			readAck(t, p, clients[0])
			for i, c := range clients {
				if r := readGenerated(t, c); r.Result != frame(p, "to everyone") {
					t.Errorf("client %d got %q", i, r.Result)
				}
			}
		})
	}
}

// A message the function keeps failing is retried, then dead-lettered
// after maxReceiveCount, while other messages flow; a reply to a closed
// connection is Gone and not retried; nothing is lost.
func TestGoldenFailuresAndNoLoss(t *testing.T) {
	for _, p := range goldenProjects(t) {
		if p.rec.Answers.Reply != "sender" {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			t.Parallel() // each waits out several visibility timeouts
			e, _ := startProject(t, p, func(c *Config) {
				c.Faults.FailItem = BodyContains("poison")
			})
			c := dial(t, e)
			send(t, c, frame(p, "poison"))
			readAck(t, p, c)
			const n = 5
			for i := 0; i < n; i++ {
				send(t, c, frame(p, fmt.Sprintf("ok-%d", i)))
				readAck(t, p, c)
			}
			replies := 0
			for i := 0; i < n; i++ {
				readGenerated(t, c)
				replies++
			}
			waitForLong(t, 60*time.Second, func() bool { return len(e.Inspect().DLQ.Messages) == 1 })
			st := e.Inspect()
			if sent := st.Queue.Stats.Sent; sent != replies+len(st.DLQ.Messages) {
				t.Errorf("lost messages: sent %d, replied %d, dead-lettered %d", sent, replies, len(st.DLQ.Messages))
			}
			if rc := st.DLQ.Messages[0].ReceiveCount; rc != p.cfg.MaxReceiveCount {
				t.Errorf("dead-lettered after %d receives, want %d", rc, p.cfg.MaxReceiveCount)
			}
		})
	}
}

func waitForLong(t *testing.T, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A reply to a connection that closed is Gone for the generated function:
// counted, not retried, and the message is deleted.
func TestGoldenGoneIsNotRetried(t *testing.T) {
	for _, p := range goldenProjects(t) {
		if p.rec.Answers.Reply != "sender" {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			e, _ := startProject(t, p, func(c *Config) {
				c.Faults.DropBeforeReply = func(string) bool { return true }
			})
			c := dial(t, e)
			send(t, c, frame(p, "nobody will read this"))
			readAck(t, p, c)
			waitFor(t, func() bool { st := e.Inspect(); return st.Gateway.PostGone == 1 && len(st.Queue.Messages) == 0 })
			time.Sleep(300 * time.Millisecond)
			st := e.Inspect()
			if st.Queue.Stats.Received != 1 || st.Gateway.PostGone != 1 || (st.DLQ != nil && len(st.DLQ.Messages) != 0) {
				t.Errorf("a Gone reply was retried: queue %+v, gateway %+v", st.Queue.Stats, st.Gateway)
			}
		})
	}
}

// On FIFO projects, each client's messages are answered in the order sent
// while several clients (message groups) are processed concurrently.
func TestGoldenFIFOOrderPerGroup(t *testing.T) {
	for _, p := range goldenProjects(t) {
		a := p.rec.Answers
		if a.Queue != "fifo" || a.Reply != "sender" || a.GroupBy != "connection" {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			e, _ := startProject(t, p, nil)
			const clients, per = 5, 20
			var wg sync.WaitGroup
			for i := 0; i < clients; i++ {
				c := dial(t, e)
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					for j := 0; j < per; j++ {
						if err := c.Write(ctx, websocket.MessageText, []byte(frame(p, fmt.Sprintf("c%d-%02d", i, j)))); err != nil {
							t.Error(err)
							return
						}
					}
					for j := 0; j < per; j++ {
						_, b, err := c.Read(ctx)
						var r generatedReply
						if err != nil || json.Unmarshal(b, &r) != nil {
							t.Errorf("client %d, reply %d: %v %s", i, j, err, b)
							return
						}
						if want := frame(p, fmt.Sprintf("c%d-%02d", i, j)); r.Result != want {
							t.Errorf("client %d: reply %d is %s, want %s", i, j, r.Result, want)
							return
						}
					}
				}(i)
			}
			wg.Wait()
		})
	}
}

// API Gateway's size limits with their AWS values: a message over 128 KB
// closes the connection with 1009; a large message sent in frames within
// the 32 KB frame limit goes through the whole loop intact.
func TestGoldenSizeLimits(t *testing.T) {
	for _, p := range goldenProjects(t) {
		if p.name != "default" {
			continue
		}
		e, _ := startProject(t, p, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		writeFramed := func(c *websocket.Conn, msg string) {
			w, err := c.Writer(ctx, websocket.MessageText)
			if err != nil {
				t.Fatal(err)
			}
			for len(msg) > 0 {
				n := min(len(msg), 16*1024)
				if _, err := w.Write([]byte(msg[:n])); err != nil {
					t.Fatal(err)
				}
				msg = msg[n:]
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		}
		big := frame(p, strings.Repeat("x", 60*1024))
		c := dial(t, e)
		writeFramed(c, big)
		if r := readGenerated(t, c); r.Result != big {
			t.Errorf("a %d-byte message came back as %d bytes", len(big), len(r.Result))
		}
		tooBig := frame(p, strings.Repeat("y", 128*1024))
		c2 := dial(t, e)
		writeFramed(c2, tooBig)
		if _, _, err := c2.Read(ctx); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
			t.Errorf("a %d-byte message: want close 1009, got %v", len(tooBig), err)
		}
	}
}
