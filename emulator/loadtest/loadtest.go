// Package loadtest drives many WebSocket connections through a running
// emulator (or any deployed stage that echoes frames back to their sender)
// and measures round trips: the time from a frame's scheduled send to the
// reply that carries it back.
//
// Each connection sends frames whose body holds a token
// "wsqload:<conn>:<seq>:<run nonce>" (the nonce keeps frames of different
// runs apart for content-based deduplication); a reply is matched by finding that token
// anywhere in the reply frame, so it does not matter how the function wraps
// or escapes the echoed body. Frames of two-way routes that carry no token
// (acks) are counted apart; gateway error frames ("Bad request body",
// "Internal server error", "Forbidden") are counted as errors.
//
// Two modes:
//   - open loop (Rate > 0): every connection sends at Rate/Conns frames per
//     second on its own schedule, whether or not earlier replies came
//     back, and latency is measured from the scheduled time, so a stalled
//     pipeline shows as latency instead of hiding as lower offered load;
//   - closed loop (Rate == 0): every connection sends its next frame as soon
//     as the previous reply arrives; this finds the maximum throughput, and
//     latency is then Conns / throughput by Little's law.
//
// A run is bounded: Warmup (one round trip per connection, which also
// starts the function's execution environments), Duration of measured
// sending, then up to Drain to collect outstanding replies. Frames sent
// and never answered are reported as lost.
package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Options configure a run.
type Options struct {
	URL      string        // ws://127.0.0.1:<port>/<stage>
	Conns    int           // concurrent connections; default 100
	Rate     float64       // frames per second over all connections; 0 = closed loop
	Duration time.Duration // measured sending time; default 10s
	Drain    time.Duration // how long to wait for outstanding replies; default 10s
	// Frame returns the frame to send; token must appear in it verbatim
	// (it is plain ASCII: letters, digits and colons). Default:
	// {"text":"<token>"}.
	Frame func(token string) string
	// DialParallel bounds concurrent handshakes; default 64.
	DialParallel int
	// Progress, if set, is called about once a second while sending.
	Progress func(Snapshot)
}

// Snapshot is a progress report.
type Snapshot struct {
	Elapsed time.Duration
	Sent    int64
	Replied int64
}

// Result is the outcome of a run.
type Result struct {
	Conns    int
	Rate     float64       // offered rate (0 = closed loop)
	Measured time.Duration // the measured window
	Sent     int64         // frames sent in the measured window
	Replied  int64         // replies received for those frames (window + drain)
	// InWindow is replies to measured frames that arrived during the
	// window; Throughput is InWindow per second of window.
	InWindow   int64
	Throughput float64
	Lost       int64 // Sent - Replied after the drain
	Duplicates int64 // a second reply to the same frame
	Acks       int64 // frames without a token (two-way route answers)
	Errors     int64 // gateway error frames, write or read failures
	ErrorText  []string
	// Latencies of measured frames, from scheduled send to reply.
	P50, P90, P99, P999, Max, Mean time.Duration
	WarmupTime                     time.Duration
}

func (r Result) String() string {
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + "ms" }
	mode := "closed loop"
	if r.Rate > 0 {
		mode = fmt.Sprintf("open loop at %.0f/s", r.Rate)
	}
	s := fmt.Sprintf("conns=%d %s window=%v: sent=%d replied=%d lost=%d dup=%d errors=%d acks=%d\n"+
		"throughput=%.0f round trips/s  p50=%s p90=%s p99=%s p99.9=%s max=%s mean=%s (warmup %v)",
		r.Conns, mode, r.Measured.Round(time.Millisecond), r.Sent, r.Replied, r.Lost, r.Duplicates, r.Errors, r.Acks,
		r.Throughput, ms(r.P50), ms(r.P90), ms(r.P99), ms(r.P999), ms(r.Max), ms(r.Mean), r.WarmupTime.Round(time.Millisecond))
	for _, e := range r.ErrorText {
		s += "\n  error: " + e
	}
	return s
}

const tokenPrefix = "wsqload:"

// DefaultFrame is {"text":"<token>"}.
func DefaultFrame(token string) string { return `{"text":"` + token + `"}` }

type client struct {
	n  int
	ws *websocket.Conn

	mu      sync.Mutex
	pending map[int64]time.Time // seq -> scheduled send time
	seq     int64
	lat     []time.Duration // measured latencies
	measure bool            // frames sent now are measured
	first   int64           // first measured seq; earlier ones are warmup
	replied chan struct{}   // closed-loop: a reply arrived (buffered 1)
}

type run struct {
	o     Options
	nonce string // makes frames unique across runs (content-based deduplication)

	sent, replied, inWindow, dup, acks, errs atomic.Int64
	windowOpen                               atomic.Bool

	errMu   sync.Mutex
	errText []string
}

func (r *run) fail(format string, a ...any) {
	r.errs.Add(1)
	r.errMu.Lock()
	if len(r.errText) < 10 {
		r.errText = append(r.errText, fmt.Sprintf(format, a...))
	}
	r.errMu.Unlock()
}

// Run dials Conns connections, warms up, sends for Duration, drains and
// closes every connection. It returns an error only when the run could not
// start (a dial failed); lost replies and errors are in the Result.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Conns <= 0 {
		o.Conns = 100
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	if o.Drain <= 0 {
		o.Drain = 10 * time.Second
	}
	if o.Frame == nil {
		o.Frame = DefaultFrame
	}
	if o.DialParallel <= 0 {
		o.DialParallel = 64
	}
	r := &run{o: o, nonce: strconv.FormatUint(rand.Uint64(), 36)}
	clients, err := r.dialAll(ctx)
	defer func() {
		for _, c := range clients {
			if c != nil {
				_ = c.ws.CloseNow()
			}
		}
	}()
	if err != nil {
		return Result{}, err
	}

	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var readers sync.WaitGroup
	for _, c := range clients {
		readers.Add(1)
		go func() { defer readers.Done(); r.read(rctx, c) }()
	}

	// Warmup: one round trip per connection, not measured.
	t0 := time.Now()
	for _, c := range clients {
		r.send(rctx, c, t0)
	}
	r.waitOutstanding(rctx, clients, o.Drain)
	warm := time.Since(t0)
	for _, c := range clients {
		c.mu.Lock()
		c.pending = map[int64]time.Time{} // anything unanswered in warmup is not counted
		c.measure = true
		c.first = c.seq + 1
		c.mu.Unlock()
	}
	r.sent.Store(0)
	r.replied.Store(0)

	// Measured window.
	start := time.Now()
	end := start.Add(o.Duration)
	r.windowOpen.Store(true)
	var senders sync.WaitGroup
	for _, c := range clients {
		senders.Add(1)
		go func() { defer senders.Done(); r.sendLoop(rctx, c, start, end) }()
	}
	stopProgress := make(chan struct{})
	var progress sync.WaitGroup
	if o.Progress != nil {
		progress.Add(1)
		go func() {
			defer progress.Done()
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-stopProgress:
					return
				case now := <-t.C:
					o.Progress(Snapshot{Elapsed: now.Sub(start), Sent: r.sent.Load(), Replied: r.replied.Load()})
				}
			}
		}()
	}
	senders.Wait()
	measured := time.Since(start)
	r.windowOpen.Store(false)
	close(stopProgress)
	progress.Wait()

	r.waitOutstanding(rctx, clients, o.Drain)
	cancel()
	for _, c := range clients {
		_ = c.ws.CloseNow()
	}
	readers.Wait()

	res := Result{
		Conns: o.Conns, Rate: o.Rate, Measured: measured, Sent: r.sent.Load(), Replied: r.replied.Load(),
		InWindow: r.inWindow.Load(), Duplicates: r.dup.Load(), Acks: r.acks.Load(), Errors: r.errs.Load(),
		ErrorText: r.errText, WarmupTime: warm,
	}
	res.Lost = res.Sent - res.Replied
	res.Throughput = float64(res.InWindow) / measured.Seconds()
	var all []time.Duration
	for _, c := range clients {
		all = append(all, c.lat...)
	}
	res.P50, res.P90, res.P99, res.P999, res.Max, res.Mean = percentiles(all)
	return res, nil
}

func percentiles(d []time.Duration) (p50, p90, p99, p999, max, mean time.Duration) {
	if len(d) == 0 {
		return
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(q float64) time.Duration {
		i := int(math.Ceil(q*float64(len(d)))) - 1
		if i < 0 {
			i = 0
		}
		return d[i]
	}
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	return at(0.50), at(0.90), at(0.99), at(0.999), d[len(d)-1], sum / time.Duration(len(d))
}

func (r *run) dialAll(ctx context.Context) ([]*client, error) {
	clients := make([]*client, r.o.Conns)
	sem := make(chan struct{}, r.o.DialParallel)
	var wg sync.WaitGroup
	var firstErr error
	var mu sync.Mutex
	for i := range clients {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			ws, _, err := websocket.Dial(dctx, r.o.URL, &websocket.DialOptions{CompressionMode: websocket.CompressionDisabled})
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("loadtest: dial connection %d: %w", i, err)
				}
				mu.Unlock()
				return
			}
			ws.SetReadLimit(1 << 20)
			clients[i] = &client{n: i, ws: ws, pending: map[int64]time.Time{}, replied: make(chan struct{}, 1)}
		}()
	}
	wg.Wait()
	return clients, firstErr
}

// send writes one frame scheduled at `at`.
func (r *run) send(ctx context.Context, c *client, at time.Time) {
	c.mu.Lock()
	c.seq++
	seq := c.seq
	c.pending[seq] = at
	c.mu.Unlock()
	token := tokenPrefix + strconv.Itoa(c.n) + ":" + strconv.FormatInt(seq, 10) + ":" + r.nonce
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := c.ws.Write(wctx, websocket.MessageText, []byte(r.o.Frame(token))); err != nil {
		if ctx.Err() == nil {
			r.fail("conn %d: write: %v", c.n, err)
		}
		c.mu.Lock()
		delete(c.pending, seq)
		c.mu.Unlock()
		return
	}
	r.sent.Add(1)
}

func (r *run) sendLoop(ctx context.Context, c *client, start, end time.Time) {
	if r.o.Rate <= 0 {
		// Closed loop: the next frame goes when the reply to the last one
		// arrived.
		for time.Now().Before(end) && ctx.Err() == nil {
			r.send(ctx, c, time.Now())
			t := time.NewTimer(time.Until(end))
			select {
			case <-c.replied:
			case <-t.C:
			case <-ctx.Done():
			}
			t.Stop()
		}
		return
	}
	period := time.Duration(float64(r.o.Conns) / r.o.Rate * float64(time.Second))
	// A random phase spreads connections evenly over the period.
	next := start.Add(time.Duration(rand.Int64N(int64(period))))
	for next.Before(end) {
		if d := time.Until(next); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
		}
		r.send(ctx, c, next)
		next = next.Add(period)
	}
}

func (r *run) read(ctx context.Context, c *client) {
	for {
		_, data, err := c.ws.Read(ctx)
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, io.EOF) {
				r.fail("conn %d: read: %v", c.n, err)
			}
			return
		}
		now := time.Now()
		i := bytes.Index(data, []byte(tokenPrefix))
		if i < 0 {
			if isGatewayError(data) {
				r.fail("conn %d: %s", c.n, clip(string(data)))
			} else {
				r.acks.Add(1)
			}
			continue
		}
		conn, seq, ok := parseToken(data[i+len(tokenPrefix):])
		if !ok || conn != c.n {
			r.fail("conn %d: reply with a foreign token: %s", c.n, clip(string(data)))
			continue
		}
		c.mu.Lock()
		at, found := c.pending[seq]
		warmup := seq < c.first
		if found {
			delete(c.pending, seq)
			if c.measure {
				c.lat = append(c.lat, now.Sub(at))
			}
		}
		c.mu.Unlock()
		if !found {
			if !warmup {
				r.dup.Add(1)
			}
			continue
		}
		r.replied.Add(1)
		if r.windowOpen.Load() {
			r.inWindow.Add(1)
		}
		select {
		case c.replied <- struct{}{}:
		default:
		}
	}
}

func parseToken(b []byte) (conn int, seq int64, ok bool) {
	num := func() (int64, bool) {
		j := 0
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == 0 {
			return 0, false
		}
		v, err := strconv.ParseInt(string(b[:j]), 10, 64)
		b = b[j:]
		return v, err == nil
	}
	cn, ok := num()
	if !ok || len(b) == 0 || b[0] != ':' {
		return 0, 0, false
	}
	b = b[1:]
	seq, ok = num()
	return int(cn), seq, ok
}

func isGatewayError(b []byte) bool {
	s := string(b)
	return strings.Contains(s, `"message": "`) && strings.Contains(s, `"connectionId":`) && strings.Contains(s, `"requestId":`)
}

// waitOutstanding waits until no frame is pending or d passes.
func (r *run) waitOutstanding(ctx context.Context, clients []*client, d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		n := 0
		for _, c := range clients {
			c.mu.Lock()
			n += len(c.pending)
			c.mu.Unlock()
		}
		if n == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
