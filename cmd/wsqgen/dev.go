package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/wsqgen/wsqgen/emulator"
)

func newDevCmd(ap app) *cobra.Command {
	var (
		addr  string
		quiet bool
		jsonl bool
		conc  int
	)
	cmd := &cobra.Command{
		Use:   "dev [DIR]",
		Short: "Run the project locally: WebSocket API → SQS → Lambda → @connections",
		Long: `Run the whole generated system in DIR (default: the current directory) on
this machine, with no AWS account: a WebSocket endpoint that behaves like API
Gateway (routes, the request model, the project's own request template with
its URL-encoding), a queue with the project's SQS semantics (FIFO groups,
deduplication, visibility timeout, redrive to the DLQ), an event source
mapping with the project's batch size and window and partial batch
responses, the project's real function built and run behind a Lambda
Runtime API, and the @connections callback API it replies through.

Everything is read from the project's wsqgen.json and api/ files. The
emulator listens on 127.0.0.1 only. Stop it with Ctrl-C.

Endpoints (printed at start):
  ws://127.0.0.1:PORT/STAGE              connect your clients here (e.g. wscat -c)
  http://127.0.0.1:PORT/STAGE/@connections/ID   the callback API the function uses
  http://127.0.0.1:PORT/_emulator/inspect       queue and DLQ contents as JSON`,
		Example: `  # Terminal 1
  wsqgen dev myapp --addr 127.0.0.1:8080
  # Terminal 2
  wscat -c ws://127.0.0.1:8080/prod
  > {"hello":"world"}`,
		Args: optionalDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := dirArg(args)
			cfg, err := emulator.ProjectConfig(dir)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			tmp, err := os.MkdirTemp("", "wsqgen-dev-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			fmt.Fprintf(ap.Err, "building the function in %s ...\n", dir)
			if cfg.Function.Path, err = emulator.BuildFunction(ctx, dir, tmp); err != nil {
				return err
			}
			cfg.Addr, cfg.Quiet, cfg.JSON, cfg.Log = addr, quiet, jsonl, ap.Out
			if conc < 1 {
				return flagError{fmt.Errorf("--concurrency %d is not allowed: use 1 or more", conc)}
			}
			cfg.Function.Concurrency = conc
			em, err := emulator.Start(ctx, cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(ap.Err, "ready: connect to %s (Ctrl-C to stop)\n", em.URL())
			<-ctx.Done()
			return em.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "loopback address to listen on (port 0 picks a free one)")
	f.BoolVarP(&quiet, "quiet", "q", false, "log only retries, dead letters, errors and the function's output")
	f.BoolVar(&jsonl, "json", false, "log one JSON object per line")
	f.IntVar(&conc, "concurrency", emulator.DefaultConcurrency, "function execution environments (Lambda starts an SQS event source mapping with 5)")
	return cmd
}
