package emulator

import (
	"context"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wsqgen/wsqgen/emulator/loadtest"
)

var (
	benchConns = flag.Int("wsq.conns", 1000, "BenchmarkRoundTrip: concurrent WebSocket connections")
	benchRate  = flag.Float64("wsq.rate", 2000, "BenchmarkRoundTrip: frames per second over all connections (0 = closed loop)")
)

// BenchmarkRoundTrip drives the full loop of every golden project that
// replies to the sender: WebSocket clients → gateway → the project's
// request template → queue → event source mapping → the project's real
// function over the Runtime API → @connections → the client. One op is one
// round trip; frames go out open loop at -wsq.rate, so b.N fixes the
// measured time (b.N / rate). Give b.N explicitly, e.g. 20 s at 2,000/s:
//
//	go test ./emulator -run '^$' -bench RoundTrip -benchtime 40000x -wsq.conns 1000 -wsq.rate 2000
//
// Reported: msgs/s (round trips per second), p50/p99/p99.9 latency in ms
// from scheduled send to reply; a lost frame, duplicate or error fails the
// benchmark. cmd/wsqload runs the same load with more output.
func BenchmarkRoundTrip(b *testing.B) {
	if err := raiseFileLimit(uint64(2**benchConns + 512)); err != nil {
		b.Fatalf("open-file limit: %v (need %d for %d connections)", err, 2**benchConns+512, *benchConns)
	}
	for _, p := range goldenProjects(b) {
		if p.rec.Answers.Reply != "sender" {
			continue
		}
		b.Run(p.name, func(b *testing.B) {
			b.StopTimer()
			cfg := p.cfg
			cfg.Function.Path = buildGolden(b, p.dir)
			e, err := Start(context.Background(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			frame := loadtest.DefaultFrame
			if p.rec.Answers.GroupBy == "field" {
				frame = func(token string) string {
					return `{"text":"` + token + `","MessageGroupId":"c` + strings.Split(token, ":")[1] + `"}`
				}
			}
			rate := *benchRate
			d := time.Duration(float64(b.N) / rate * float64(time.Second))
			if rate <= 0 {
				d = time.Duration(b.N) * time.Millisecond
			}
			b.StartTimer()
			res, err := loadtest.Run(context.Background(), loadtest.Options{
				URL: e.URL(), Conns: *benchConns, Rate: rate, Duration: d, Drain: 15 * time.Second, Frame: frame,
			})
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(res.Throughput, "msgs/s")
			b.ReportMetric(float64(res.P50)/1e6, "p50-ms")
			b.ReportMetric(float64(res.P99)/1e6, "p99-ms")
			b.ReportMetric(float64(res.P999)/1e6, "p99.9-ms")
			if res.Lost != 0 || res.Errors != 0 || res.Duplicates != 0 {
				b.Errorf("%s", res)
			}
		})
	}
}

// buildGolden builds a golden project's function once per test binary.
func buildGolden(tb testing.TB, dir string) string {
	tb.Helper()
	v, _ := buildOnce.LoadOrStore(dir, &builtFunction{})
	bf := v.(*builtFunction)
	bf.once.Do(func() {
		out, err := os.MkdirTemp("", "golden-fn-")
		if err != nil {
			bf.err = err
			return
		}
		bf.path, bf.err = BuildFunction(context.Background(), dir, out)
	})
	if bf.err != nil {
		tb.Fatal(bf.err)
	}
	return bf.path
}
