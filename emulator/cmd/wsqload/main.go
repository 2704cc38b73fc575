// Command wsqload measures the emulator's full loop under load: N
// WebSocket clients → gateway → the project's request template → queue →
// event source mapping → the project's real function over the Runtime API →
// @connections → the client. It builds the project's function, starts the
// emulator in this process on 127.0.0.1, drives it with package loadtest
// and reports round trips per second and latency percentiles, then checks
// that nothing was lost (every frame sent was answered, the queue drained,
// nothing dead-lettered).
//
//	go run ./emulator/cmd/wsqload -project golden/default -conns 1000 -rate 2000 -duration 20s -runs 3
//
// -rate 0 runs closed loop (each connection sends its next frame when the
// reply arrives) to find the maximum throughput. -url drives an emulator
// already running elsewhere (`wsqgen dev`) instead; the queue checks are
// then skipped. -min-rate and -max-p99 make the exit status say whether a
// target was met. The project must reply to the sender.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/wsqgen/wsqgen/emulator"
	"github.com/wsqgen/wsqgen/emulator/loadtest"
	"github.com/wsqgen/wsqgen/generator"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "wsqload:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		project     = flag.String("project", "", "generated project directory (its function is built and run)")
		url         = flag.String("url", "", "drive an already running emulator at this ws:// URL instead of -project")
		groupBy     = flag.String("group-by", "", "with -url: \"field\" if frames must carry MessageGroupId")
		conns       = flag.Int("conns", 1000, "concurrent WebSocket connections")
		rate        = flag.Float64("rate", 2000, "frames per second over all connections (0 = closed loop)")
		duration    = flag.Duration("duration", 20*time.Second, "measured sending time per run")
		drain       = flag.Duration("drain", 15*time.Second, "how long to wait for outstanding replies")
		runs        = flag.Int("runs", 1, "measured runs (fresh connections each time, same emulator)")
		concurrency = flag.Int("concurrency", 0, "function execution environments (0 = the emulator's default)")
		logFile     = flag.String("log", "", "write the emulator's log to this file (default: discarded)")
		cpuProfile  = flag.String("cpuprofile", "", "write a CPU profile of this process (emulator and clients)")
		minRate     = flag.Float64("min-rate", 0, "fail unless every run reaches this many round trips per second")
		maxP99      = flag.Duration("max-p99", 0, "fail unless every run's p99 is at most this")
	)
	flag.Parse()
	if (*project == "") == (*url == "") {
		return errors.New("give either -project DIR or -url ws://127.0.0.1:PORT/STAGE")
	}
	if *url != "" && !strings.HasPrefix(*url, "ws://127.0.0.1:") && !strings.HasPrefix(*url, "ws://localhost:") {
		return errors.New("-url must be a loopback ws:// URL")
	}
	// Two descriptors per connection in this process, plus spare.
	if n, err := raiseFileLimit(uint64(2**conns + 256)); err != nil {
		return fmt.Errorf("raise the open-file limit: %w", err)
	} else if n < uint64(2**conns+256) {
		return fmt.Errorf("open-file limit %d is too low for %d connections (ulimit -n)", n, *conns)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var em *emulator.Emulator
	target := *url
	gb := *groupBy
	if *project != "" {
		rec, err := generator.ReadRecord(*project)
		if err != nil {
			return err
		}
		if rec.Answers.Reply != "sender" {
			return fmt.Errorf("%s replies %q; the load test needs a project that replies to the sender", *project, rec.Answers.Reply)
		}
		gb = rec.Answers.GroupBy
		cfg, err := emulator.ProjectConfig(*project)
		if err != nil {
			return err
		}
		tmp, err := os.MkdirTemp("", "wsqload-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		fmt.Fprintf(os.Stderr, "building the function in %s ...\n", *project)
		if cfg.Function.Path, err = emulator.BuildFunction(ctx, *project, tmp); err != nil {
			return err
		}
		if *concurrency > 0 {
			cfg.Function.Concurrency = *concurrency
		}
		cfg.Quiet = true // the full log is one line per event; -log keeps it
		if *logFile != "" {
			f, err := os.Create(*logFile)
			if err != nil {
				return err
			}
			defer f.Close()
			cfg.Log, cfg.Quiet = f, false
		}
		em, err = emulator.Start(ctx, cfg)
		if err != nil {
			return err
		}
		defer em.Close()
		target = em.URL()
		fmt.Fprintf(os.Stderr, "project %s: %s queue, batch %d, window %v, %d execution environments, GOMAXPROCS %d\n",
			filepath.Base(filepath.Clean(*project)), queueKind(cfg), cfg.BatchSize, cfg.BatchWindow,
			em.Config().Function.Concurrency, runtime.GOMAXPROCS(0))
	}

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	frame := loadtest.DefaultFrame
	if gb == "field" {
		// One group per connection, as a real client would use a
		// conversation or user id.
		frame = func(token string) string {
			parts := strings.Split(token, ":")
			return `{"text":"` + token + `","MessageGroupId":"c` + parts[1] + `"}`
		}
	}

	selfBefore, childrenBefore := cpuTimes() // the build is a child too
	fi, _ := os.Stderr.Stat()
	tty := fi != nil && fi.Mode()&os.ModeCharDevice != 0
	var results []loadtest.Result
	failed := false
	for i := 1; i <= *runs && ctx.Err() == nil; i++ {
		var before emulator.State
		if em != nil {
			before = em.Inspect()
		}
		opts := loadtest.Options{URL: target, Conns: *conns, Rate: *rate, Duration: *duration, Drain: *drain, Frame: frame}
		if tty {
			opts.Progress = func(s loadtest.Snapshot) {
				fmt.Fprintf(os.Stderr, "\r  %5.1fs sent %d replied %d   ", s.Elapsed.Seconds(), s.Sent, s.Replied)
			}
		}
		runSelf, _ := cpuTimes()
		res, err := loadtest.Run(ctx, opts)
		runSelf2, _ := cpuTimes()
		if tty {
			fmt.Fprint(os.Stderr, "\r\033[K")
		}
		if err != nil {
			return err
		}
		results = append(results, res)
		fmt.Printf("run %d: %s\n", i, res)
		if res.Replied > 0 && runSelf2 > runSelf {
			fmt.Printf("  this process (emulator and clients): %.1fs CPU, %.0fµs per round trip; load average %s\n",
				runSelf2-runSelf, (runSelf2-runSelf)/float64(res.Replied)*1e6, loadAvg())
		}
		ok := res.Lost == 0 && res.Errors == 0 && res.Duplicates == 0
		if em != nil {
			if msg := checkQueue(ctx, em, before); msg != "" {
				fmt.Printf("  queue check: %s\n", msg)
				ok = false
			} else {
				fmt.Printf("  queue check: every message enqueued was deleted, none dead-lettered\n")
			}
		}
		if *minRate > 0 && res.Throughput < *minRate {
			fmt.Printf("  below target: %.0f < %.0f round trips/s\n", res.Throughput, *minRate)
			ok = false
		}
		if *maxP99 > 0 && res.P99 > *maxP99 {
			fmt.Printf("  above target: p99 %v > %v\n", res.P99, *maxP99)
			ok = false
		}
		failed = failed || !ok
	}
	if len(results) > 1 {
		fmt.Println(summary(results))
	}
	if em != nil {
		// CPU per round trip does not depend on what else the machine
		// runs; the latencies above do.
		em.Close()
		self, children := cpuTimes()
		self -= selfBefore
		children -= childrenBefore
		var n int64
		for _, r := range results {
			n += r.Replied
		}
		if n > 0 && self+children > 0 {
			fmt.Printf("CPU: emulator and clients %.1fs, function processes %.1fs: %.0fµs per round trip; load average %s\n",
				self, children, (self+children)/float64(n)*1e6, loadAvg())
		}
	}
	if failed {
		return errors.New("a run lost messages, saw errors or missed the target")
	}
	return nil
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func queueKind(cfg emulator.Config) string {
	if cfg.FIFO {
		return "FIFO"
	}
	return "standard"
}

// checkQueue waits for the queue to drain and compares its counters with
// the state before the run: sent = deleted, nothing dead-lettered.
func checkQueue(ctx context.Context, em *emulator.Emulator, before emulator.State) string {
	deadline := time.Now().Add(10 * time.Second)
	var st emulator.State
	for {
		st = em.Inspect()
		if len(st.Queue.Messages) == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st.ESM != nil && before.ESM != nil {
		b, r := st.ESM.Batches-before.ESM.Batches, st.ESM.Records-before.ESM.Records
		if b > 0 {
			fmt.Printf("  function: %d invocations, %.1f records per batch, %d function errors, %d timeouts\n",
				b, float64(r)/float64(b), st.ESM.FunctionErrors-before.ESM.FunctionErrors, st.ESM.Timeouts-before.ESM.Timeouts)
		}
	}
	sent := st.Queue.Stats.Sent - before.Queue.Stats.Sent
	deleted := st.Queue.Stats.Deleted - before.Queue.Stats.Deleted
	var dead int
	if st.DLQ != nil {
		dead = len(st.DLQ.Messages)
	}
	if len(st.Queue.Messages) != 0 || sent != deleted || dead != 0 {
		return fmt.Sprintf("enqueued %d, deleted %d, still queued %d, dead-lettered %d", sent, deleted, len(st.Queue.Messages), dead)
	}
	return ""
}

func summary(rs []loadtest.Result) string {
	var tp []float64
	var p50, p99, p999 []time.Duration
	for _, r := range rs {
		tp = append(tp, r.Throughput)
		p50, p99, p999 = append(p50, r.P50), append(p99, r.P99), append(p999, r.P999)
	}
	sort.Float64s(tp)
	span := func(d []time.Duration) string {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return fmt.Sprintf("%.1f–%.1fms", float64(d[0])/1e6, float64(d[len(d)-1])/1e6)
	}
	var w strings.Builder
	fmt.Fprintf(&w, "%d runs: throughput %.0f–%.0f/s, p50 %s, p99 %s, p99.9 %s", len(rs), tp[0], tp[len(tp)-1], span(p50), span(p99), span(p999))
	return w.String()
}
