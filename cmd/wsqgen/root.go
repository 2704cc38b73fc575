package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/wsqgen/wsqgen/generator"
)

// Exit statuses, documented in the root command's help.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	// exitConflict: an upgrade finished but left conflict markers.
	exitConflict = 3
)

// streams is the process's I/O as the commands see it; tests replace it.
type streams struct {
	In       io.Reader
	Out, Err io.Writer
	// Interactive reports whether stdin and stdout are both terminals: only
	// then may wsqgen prompt. It never opens /dev/tty on its own.
	Interactive bool
	Getenv      func(string) string
}

func systemStreams() streams {
	return streams{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		Interactive: term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd())),
		Getenv:      os.Getenv,
	}
}

// flagError is a mistake in how the command was called. It is the only kind
// of error after which the usage is printed, and it exits with status 2.
type flagError struct{ err error }

func (e flagError) Error() string { return e.err.Error() }
func (e flagError) Unwrap() error { return e.err }

// usageError exits with status 2 like flagError, but its message already
// says what to do, so the usage is not printed after it.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// version is set at link time (-ldflags "-X main.version=v1.2.3"); otherwise
// the module version from the build info is used, as `go install` records it.
var version = ""

func wsqgenVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// renderFunc renders answers for a wsqgen version. The CLI uses
// generator.Render; acceptance tests plug in an older template set to act
// as a previous release.
type renderFunc func(a generator.Answers, version string) (*generator.FileSet, error)

// app is what every command is built from.
type app struct {
	streams
	version string
	render  renderFunc
}

func run(args []string, s streams) int {
	return runApp(args, app{streams: s, version: wsqgenVersion(), render: generator.Render})
}

func runApp(args []string, a app) int {
	s := a.streams
	root := newRootCmd(a)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(s.Err, "wsqgen: "+err.Error())
	var fe flagError
	var ue usageError
	var ce conflictError
	switch {
	case errors.As(err, &ce):
		return exitConflict
	case errors.As(err, &fe):
		fmt.Fprintln(s.Err)
		fmt.Fprint(s.Err, cmd.UsageString())
		return exitUsage
	case errors.As(err, &ue):
		fmt.Fprintf(s.Err, "Run '%s --help' for usage.\n", cmd.CommandPath())
		return exitUsage
	}
	return exitFailure
}

func newRootCmd(a app) *cobra.Command {
	s, version := a.streams, a.version
	root := &cobra.Command{
		Use:   "wsqgen",
		Short: "Generate WebSocket API → SQS → Go Lambda projects",
		Long: `wsqgen generates a complete, deployable project for one serverless pattern:
WebSocket clients → Amazon API Gateway WebSocket API → Amazon SQS (FIFO or
standard) → an AWS Lambda function in Go that replies to the client over the
API Gateway Management API (@connections).

The project holds the infrastructure as code, the Go function with its tests,
a Makefile and a README. It records its answers and the hash of every
generated file in wsqgen.json.

Exit status:
  0  success
  1  failure (I/O, rendering)
  2  usage error: a bad flag, a bad answer or a missing answer
  3  wsqgen upgrade left conflicts to resolve (the files are listed)`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	// Runnable, so that an unknown command reaches Args and becomes a
	// usage error instead of a help page with status 0.
	root.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	root.Args = func(cmd *cobra.Command, args []string) error {
		if err := cobra.NoArgs(cmd, args); err != nil {
			return flagError{err}
		}
		return nil
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return flagError{err} })
	root.AddCommand(newNewCmd(a), newUpgradeCmd(a), newCheckCmd(a), newDevCmd(a), newVersionCmd(version))
	return root
}

func newVersionCmd(version string) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the wsqgen version",
		Args:    cobra.NoArgs,
		Example: "  wsqgen version",
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "wsqgen %s\n", version)
			return err
		},
	}
}

// optionalDir accepts the optional project directory of upgrade, check and
// dev.
func optionalDir(_ *cobra.Command, args []string) error {
	if len(args) > 1 {
		return flagError{fmt.Errorf("expected one directory, got %d arguments", len(args))}
	}
	return nil
}

// dirArg is the project directory named by args, or the current one.
func dirArg(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "."
}

// writeJSON prints the machine-readable output of --output json.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
