package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/wsqgen/wsqgen/generator"
)

// errCheckFailed makes check exit 1 after it has printed its findings.
var errCheckFailed = errors.New("the project does not match what wsqgen generates")

func newCheckCmd(ap app) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "check [DIR]",
		Short: "Verify that a project's generated files are as wsqgen made them",
		Long: `Check the project in DIR (default: the current directory) for CI and
pre-commit hooks. It exits 0 when the files wsqgen owns are untouched, the
record (wsqgen.json) agrees with the stored last generation, and this wsqgen
would generate the same output from the recorded answers. It exits 1 and
lists the files otherwise: an owned file was edited, or an upgrade is pending
(run wsqgen upgrade).

Files you may edit (the default) and files written once for you are not
checked for edits: they are yours.`,
		Example: `  wsqgen check
  wsqgen check myapp --output json`,
		Args: optionalDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "text" && output != "json" {
				return flagError{fmt.Errorf("--output %q is not allowed: use text or json", output)}
			}
			dir := dirArg(args)
			res, err := generator.Check(dir, func(a generator.Answers) (*generator.FileSet, error) {
				return ap.render(a, ap.version)
			})
			if err != nil {
				return err
			}
			if output == "json" {
				if err := writeJSON(ap.Out, res); err != nil {
					return err
				}
			} else {
				for _, f := range res.Findings {
					fmt.Fprintf(ap.Out, "%s: %s\n", f.Path, f.Reason)
				}
				if len(res.Findings) == 0 {
					fmt.Fprintf(ap.Out, "ok: %s matches wsqgen %s\n", dir, res.Version)
				}
			}
			if len(res.Findings) > 0 {
				return errCheckFailed
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text | json")
	_ = cmd.RegisterFlagCompletionFunc("output", enumCompletion([]string{"text", "json"}))
	return cmd
}
