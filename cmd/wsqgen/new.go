package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/wsqgen/wsqgen/generator"
)

type newOptions struct {
	answers generator.Answers // flag values land here
	file    string            // --answers
	yes     bool
	dryRun  bool
	force   bool
	output  string
}

// mainQuestions are the answers a script must give (or accept with --yes):
// the ones that shape the architecture. The rest have safe defaults.
var mainQuestions = []string{"queue", "batch_size", "iac", "reply"}

// mainFlags are the flags of mainQuestions. The command printed after an
// interactive run always spells them out, so that it runs in a script
// without --yes.
var mainFlags = []string{"queue", "batch-size", "iac", "reply"}

func newNewCmd(s streams, version string) *cobra.Command {
	o := &newOptions{answers: generator.Defaults("")}
	cmd := &cobra.Command{
		Use:   "new [DIR]",
		Short: "Generate a new project",
		Long: `Generate a new project into DIR. The last element of DIR is the project name:
lower-case letters, digits and hyphens; it prefixes every AWS resource name.

Answers come from flags, from an answers file (--answers, YAML with the keys
named in every error message) and, in a terminal, from a form that asks for
whatever is missing. Flags win over the answers file. Without a terminal,
missing answers are an error unless --yes accepts the defaults: wsqgen never
waits for input that cannot come.

DIR must not exist or must be empty, unless --force. The project is written
into a staging directory beside DIR and moved into place, so a failed run
leaves nothing behind.`,
		Example: `  # Defaults: FIFO queue grouped per connection, batch 10, Terraform, reply to sender
  wsqgen new myapp --yes

  # A standard queue with large batches and no reply, for scripts
  wsqgen new myapp --queue standard --batch-size 100 --batch-window 5 --iac terraform --reply none

  # FIFO grouped by a client field, broadcast to all clients, acks, IAM auth on $connect
  wsqgen new chat --queue fifo --group-by field --batch-size 10 --iac terraform \
    --reply broadcast --ack --auth iam

  # Answers from a file; show what would be written, as JSON
  wsqgen new myapp --answers answers.yaml --dry-run --output json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return flagError{fmt.Errorf("expected one directory, got %d arguments: %s", len(args), strings.Join(args, " "))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runNew(cmd, args, s, o, version) },
	}
	f := cmd.Flags()
	a := &o.answers
	f.StringVar(&a.Module, "module", "", "Go module path of the project (default example.com/NAME)")
	f.StringVar(&a.Queue, "queue", a.Queue, "queue type: "+strings.Join(generator.Queues, " | "))
	f.StringVar(&a.GroupBy, "group-by", a.GroupBy, "FIFO message group: connection (per-client order) | field (client sends MessageGroupId) | constant (one global order)")
	f.StringVar(&a.Dedup, "dedup", a.Dedup, "FIFO deduplication: request (API request id) | content (hash of the body)")
	f.IntVar(&a.BatchSize, "batch-size", a.BatchSize, fmt.Sprintf("messages per Lambda invocation (FIFO 1–%d, standard 1–%d)", generator.MaxBatchFIFO, generator.MaxBatchStandard))
	f.IntVar(&a.BatchWindow, "batch-window", a.BatchWindow, fmt.Sprintf("seconds to gather a batch, standard queues only (0–%d; at least 1 when --batch-size > 10)", generator.MaxBatchWindow))
	f.StringVar(&a.IaC, "iac", a.IaC, "infrastructure as code tool: "+strings.Join(generator.IaCs, " | "))
	f.StringVar(&a.Reply, "reply", a.Reply, "reply behaviour: sender (reply to the sending connection) | broadcast (to every open connection) | none")
	f.BoolVar(&a.Ack, "ack", a.Ack, "answer every message at once with its SQS message id (or an error frame)")
	f.StringVar(&a.Auth, "auth", a.Auth, "authorization on $connect: none | iam")
	f.StringVar(&a.Arch, "arch", a.Arch, "Lambda architecture: "+strings.Join(generator.Arches, " | "))
	f.IntVar(&a.Timeout, "timeout", a.Timeout, "function timeout in seconds (the queue's visibility timeout is derived: 6 × timeout + batch window)")
	f.IntVar(&a.Memory, "memory", a.Memory, "function memory in MB")
	f.StringVar(&o.file, "answers", "", "read answers from a YAML `FILE`")
	f.BoolVarP(&o.yes, "yes", "y", false, "accept the default for every answer not given, without asking")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would be written and write nothing")
	f.BoolVar(&o.force, "force", false, "write into a non-empty directory, replacing files wsqgen generates")
	f.StringVarP(&o.output, "output", "o", "text", "output format: text | json")
	f.SortFlags = false

	complete := map[string][]string{
		"queue": generator.Queues, "group-by": generator.GroupBys, "dedup": generator.Dedups,
		"iac": generator.IaCs, "reply": generator.Replies, "auth": generator.Auths,
		"arch": generator.Arches, "output": {"text", "json"},
	}
	for name, values := range complete {
		values := values
		_ = cmd.RegisterFlagCompletionFunc(name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return values, cobra.ShellCompDirectiveNoFileComp
		})
	}
	_ = cmd.MarkFlagFilename("answers", "yaml", "yml")
	return cmd
}

// flagKeys maps flag names to answers-file keys.
func flagKeys() map[string]string {
	m := map[string]string{}
	for _, f := range generator.Fields {
		if f.Flag != "" {
			m[f.Flag] = f.Key
		}
	}
	return m
}

func runNew(cmd *cobra.Command, args []string, s streams, o *newOptions, version string) error {
	if o.output != "text" && o.output != "json" {
		return flagError{fmt.Errorf("--output %q is not allowed: use text or json", o.output)}
	}
	// Layer the sources: defaults, then the answers file, then flags.
	a := generator.Defaults("")
	given := map[string]bool{}
	if o.file != "" {
		data, err := os.ReadFile(o.file)
		if err != nil {
			return usageError{fmt.Errorf("--answers: %w", err)}
		}
		keys, err := generator.ApplyAnswersFile(&a, o.file, data)
		if err != nil {
			return usageError{err}
		}
		for _, k := range keys {
			given[k] = true
		}
	}
	keys := flagKeys()
	cmd.Flags().Visit(func(f *pflag.Flag) {
		key, ok := keys[f.Name]
		if !ok {
			return
		}
		given[key] = true
		copyFlag(&a, &o.answers, key)
	})

	dir := ""
	if len(args) == 1 {
		dir = args[0]
		name := filepath.Base(filepath.Clean(dir))
		if given["name"] && a.Name != name {
			return usageError{fmt.Errorf("the answers file names the project %q but DIR %q names it %q: drop one of them", a.Name, dir, name)}
		}
		a.Name = name
		given["name"] = true
	} else if given["name"] {
		dir = a.Name
	}

	var missing []string
	if !given["name"] {
		missing = append(missing, "DIR (the project name)")
	}
	for _, k := range mainQuestions {
		if !given[k] {
			missing = append(missing, "--"+flagOf(k))
		}
	}
	interactive := false
	if len(missing) > 0 && !o.yes {
		if !s.Interactive {
			return usageError{fmt.Errorf("missing answers and no terminal to ask them in: give %s, or --yes to accept the defaults", strings.Join(missing, ", "))}
		}
		if err := askNew(s, &a, given); err != nil {
			return err
		}
		interactive = true
		if dir == "" {
			dir = a.Name
		}
	}
	if dir == "" {
		return usageError{errors.New("missing the project directory: give DIR, e.g. wsqgen new myapp --yes")}
	}
	a.Complete(given)
	if err := a.Validate(); err != nil {
		return usageError{err}
	}

	set, err := generator.Render(a, version)
	if err != nil {
		return err
	}
	plan, err := generator.PlanWrite(dir, set, o.force)
	if err != nil {
		if errors.Is(err, generator.ErrNotEmpty) {
			return usageError{err}
		}
		return err
	}
	if a.Auth == "none" {
		fmt.Fprintln(s.Err, "warning: --auth none: anyone who knows the WebSocket URL can connect and send messages into the queue; use --auth iam for production")
	}
	if !o.dryRun {
		if err := plan.Write(); err != nil {
			return fmt.Errorf("write %s: %w", dir, err)
		}
	}
	if err := printPlan(s, plan, o); err != nil {
		return err
	}
	if interactive {
		fmt.Fprintf(s.Err, "\nTo generate the same project in a script:\n  wsqgen new %s %s\n", dir, strings.Join(a.Flags(mainFlags...), " "))
	}
	return nil
}

func flagOf(key string) string {
	for _, f := range generator.Fields {
		if f.Key == key {
			return f.Flag
		}
	}
	return key
}

// copyFlag copies one answer, named by its answers-file key, from the flag
// values into the layered answers.
func copyFlag(dst, src *generator.Answers, key string) {
	switch key {
	case "module":
		dst.Module = src.Module
	case "queue":
		dst.Queue = src.Queue
	case "group_by":
		dst.GroupBy = src.GroupBy
	case "dedup":
		dst.Dedup = src.Dedup
	case "batch_size":
		dst.BatchSize = src.BatchSize
	case "batch_window":
		dst.BatchWindow = src.BatchWindow
	case "iac":
		dst.IaC = src.IaC
	case "reply":
		dst.Reply = src.Reply
	case "ack":
		dst.Ack = src.Ack
	case "auth":
		dst.Auth = src.Auth
	case "arch":
		dst.Arch = src.Arch
	case "timeout":
		dst.Timeout = src.Timeout
	case "memory":
		dst.Memory = src.Memory
	}
}

func printPlan(s streams, p *generator.Plan, o *newOptions) error {
	if o.output == "json" {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			DryRun bool `json:"dry_run"`
			*generator.Plan
		}{o.dryRun, p})
	}
	verb := map[generator.Action]string{generator.Create: "create", generator.Overwrite: "overwrite", generator.Keep: "unchanged"}
	for _, st := range p.Steps {
		fmt.Fprintf(s.Out, "%-10s %s\n", verb[st.Action], filepath.ToSlash(filepath.Join(p.Dir, st.Path)))
	}
	if o.dryRun {
		fmt.Fprintf(s.Out, "\ndry run: nothing was written (%d files planned)\n", len(p.Steps))
		return nil
	}
	fmt.Fprintf(s.Out, "\nGenerated %s (%d files). Next:\n  cd %s\n  make test     # vet and test the function\n  make deploy   # build, then terraform init and apply\n", p.Dir, len(p.Steps), p.Dir)
	return nil
}
