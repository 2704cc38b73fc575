package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

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

func newNewCmd(ap app) *cobra.Command {
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
		RunE: func(cmd *cobra.Command, args []string) error { return runNew(cmd, args, ap, o) },
	}
	addAnswerFlags(cmd, &o.answers)
	f := cmd.Flags()
	f.StringVar(&o.file, "answers", "", "read answers from a YAML `FILE`")
	f.BoolVarP(&o.yes, "yes", "y", false, "accept the default for every answer not given, without asking")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what would be written and write nothing")
	f.BoolVar(&o.force, "force", false, "write into a non-empty directory, replacing files wsqgen generates")
	f.StringVarP(&o.output, "output", "o", "text", "output format: text | json")
	f.SortFlags = false

	_ = cmd.RegisterFlagCompletionFunc("output", enumCompletion([]string{"text", "json"}))
	_ = cmd.MarkFlagFilename("answers", "yaml", "yml")
	return cmd
}

func runNew(cmd *cobra.Command, args []string, ap app, o *newOptions) error {
	s := ap.streams
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
	for k := range applyAnswerFlags(cmd, &a, &o.answers) {
		given[k] = true
	}

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
	for i, k := range generator.MainQuestions {
		if !given[k] {
			missing = append(missing, "--"+generator.MainFlags()[i])
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

	set, err := ap.render(a, ap.version)
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
	if err := printPlan(s, plan, o, a.IaC); err != nil {
		return err
	}
	if interactive {
		fmt.Fprintf(s.Err, "\nTo generate the same project in a script:\n  wsqgen new %s %s\n", dir, strings.Join(a.Flags(generator.MainFlags()...), " "))
	}
	return nil
}

func printPlan(s streams, p *generator.Plan, o *newOptions, iac string) error {
	if o.output == "json" {
		return writeJSON(s.Out, struct {
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
	deploy := map[string]string{
		"terraform": "build, then terraform init and apply",
		"opentofu":  "build, then tofu init and apply",
		"sam":       "build, then sam deploy",
		"cdk":       "build, then cdk deploy (run cdk bootstrap once per account and Region)",
	}[iac]
	fmt.Fprintf(s.Out, "\nGenerated %s (%d files). Next:\n  cd %s\n  make test     # vet and test the function\n  make deploy   # %s\n  wsqgen dev    # run it all locally, no AWS account needed\n", p.Dir, len(p.Steps), p.Dir, deploy)
	return nil
}
