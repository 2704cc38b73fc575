package main

import (
	"fmt"
	"os/exec"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wsqgen/wsqgen/generator"
	"github.com/wsqgen/wsqgen/generator/merge"
)

// conflictError reports an upgrade that was written but left conflict
// markers; it exits with exitConflict.
type conflictError struct{ files map[string][]int }

func (e conflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d file(s) have conflicts to resolve:", len(e.files))
	for _, p := range sortedKeys(e.files) {
		fmt.Fprintf(&b, "\n  %s (markers at lines %s)", p, joinInts(e.files[p]))
	}
	b.WriteString("\nedit them, remove the markers, then run wsqgen check")
	return b.String()
}

type upgradeOptions struct {
	answers    generator.Answers
	dryRun     bool
	diff       bool
	allowDirty bool
	output     string
}

func newUpgradeCmd(ap app) *cobra.Command {
	o := &upgradeOptions{}
	cmd := &cobra.Command{
		Use:   "upgrade [DIR]",
		Short: "Regenerate a project with this wsqgen or new answers, keeping your edits",
		Long: `Regenerate the project in DIR (default: the current directory) from its recorded
answers, changed by any answer flags given, with this wsqgen's templates.

Every file gets one outcome:
  unchanged     nothing to do
  updated       you had not touched it: replaced by the new version
  merged        you and the templates both changed it: merged cleanly
  conflict      you and the templates changed the same lines: conflict markers
                (<<<<<<< yours, ||||||| old generation, ======= , >>>>>>> new)
                are written into the file
  added         new in the templates
  removed       dropped by the templates and untouched by you
  kept          dropped by the templates, but you edited it: left in place
  user-deleted  you deleted a generated file: it stays deleted

Files written once for you (lambda/processor.go) are never changed. The
last generation is kept in .wsqgen/base.txtar, so no network and no old
wsqgen are needed.

In a git repository with uncommitted changes, upgrade refuses to start
(unless --allow-dirty), so 'git checkout . && git clean -fd' always undoes it.
Exit status 3 means the upgrade was written but left conflicts.`,
		Example: `  # See what the installed wsqgen would change, with diffs
  wsqgen upgrade myapp --dry-run --diff

  # Change an answer: batch size 5 instead of 10
  wsqgen upgrade myapp --batch-size 5

  # Move to a standard queue, machine-readable plan
  wsqgen upgrade --queue standard --output json`,
		Args: optionalDir,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := dirArg(args)
			return runUpgrade(cmd, dir, ap, o)
		},
	}
	addAnswerFlags(cmd, &o.answers)
	f := cmd.Flags()
	f.BoolVar(&o.dryRun, "dry-run", false, "print the per-file plan and write nothing")
	f.BoolVar(&o.diff, "diff", false, "show a unified diff of every file that changes")
	f.BoolVar(&o.allowDirty, "allow-dirty", false, "upgrade even when the git work tree has uncommitted changes")
	f.StringVarP(&o.output, "output", "o", "text", "output format: text | json")
	_ = cmd.RegisterFlagCompletionFunc("output", enumCompletion([]string{"text", "json"}))
	f.SortFlags = false
	return cmd
}

func runUpgrade(cmd *cobra.Command, dir string, ap app, o *upgradeOptions) error {
	if o.output != "text" && o.output != "json" {
		return flagError{fmt.Errorf("--output %q is not allowed: use text or json", o.output)}
	}
	rec, err := generator.ReadRecord(dir)
	if err != nil {
		return err
	}
	base, err := generator.LoadBase(dir)
	if err != nil {
		return err
	}
	a, err := upgradeAnswers(cmd, rec.Answers, &o.answers)
	if err != nil {
		return err
	}
	if !o.dryRun && !o.allowDirty {
		if err := requireClean(dir); err != nil {
			return err
		}
	}
	next, err := ap.render(a, ap.version)
	if err != nil {
		return err
	}
	plan, err := generator.PlanUpgrade(dir, rec, base, next)
	if err != nil {
		return err
	}
	if !o.dryRun {
		if err := plan.Write(); err != nil {
			return fmt.Errorf("upgrade %s: %w", dir, err)
		}
	}
	if err := printUpgrade(ap.streams, plan, o); err != nil {
		return err
	}
	if o.dryRun {
		return nil
	}
	// Scan what was written, not what was planned: the markers are what
	// the user has to deal with.
	var written []string
	for _, c := range plan.Changes {
		if c.Outcome == generator.Conflict || c.Outcome == generator.Merged3 {
			written = append(written, c.Path)
		}
	}
	marked, err := generator.ConflictMarkers(dir, written)
	if err != nil {
		return err
	}
	if len(marked) > 0 {
		return conflictError{marked}
	}
	return nil
}

// upgradeAnswers starts from the recorded answers and applies the answer
// flags given. Switching the queue type drops the answers that only fit the
// old type, unless they were given again.
func upgradeAnswers(cmd *cobra.Command, recorded generator.Answers, flags *generator.Answers) (generator.Answers, error) {
	a := recorded
	flagged := applyAnswerFlags(cmd, &a, flags)
	given := map[string]bool{}
	for _, f := range generator.Fields {
		given[f.Key] = true
	}
	if a.Queue != recorded.Queue {
		for _, k := range []string{"group_by", "dedup", "batch_window"} {
			if !flagged[k] {
				delete(given, k)
			}
		}
		if a.Queue == "fifo" && !flagged["batch_window"] {
			a.BatchWindow = 0 // FIFO event sources have no window
		}
	}
	a.Complete(given)
	if err := a.Validate(); err != nil {
		return a, usageError{err}
	}
	return a, nil
}

// requireClean refuses to upgrade a git work tree with uncommitted changes,
// so that the user can always undo an upgrade with git. Outside a git work
// tree (or without git) there is nothing to check.
func requireClean(dir string) error {
	if _, err := exec.LookPath("git"); err != nil {
		return nil
	}
	inside := exec.Command("git", "-C", dir, "rev-parse", "--is-inside-work-tree")
	if out, err := inside.Output(); err != nil || strings.TrimSpace(string(out)) != "true" {
		return nil
	}
	out, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--", ".").Output()
	if err != nil {
		return fmt.Errorf("git status in %s: %w", dir, err)
	}
	if len(strings.TrimSpace(string(out))) > 0 {
		return usageError{fmt.Errorf("%s has uncommitted changes:\n%scommit or stash them first so that git can undo the upgrade, or pass --allow-dirty", dir, out)}
	}
	return nil
}

func printUpgrade(s streams, p *generator.UpgradePlan, o *upgradeOptions) error {
	if o.output == "json" {
		return writeJSON(s.Out, struct {
			DryRun bool `json:"dry_run"`
			*generator.UpgradePlan
		}{o.dryRun, p})
	}
	counts := map[generator.Outcome]int{}
	for _, c := range p.Changes {
		counts[c.Outcome]++
		if c.Outcome == generator.Unchanged {
			continue
		}
		line := fmt.Sprintf("%-13s %s", c.Outcome, c.Path)
		if c.Conflicts > 0 {
			line += fmt.Sprintf(" (%d conflict(s))", c.Conflicts)
		}
		fmt.Fprintln(s.Out, line)
		if o.diff && c.Data != nil {
			s.Out.Write(merge.Unified(c.Old, c.Data, "a/"+c.Path, "b/"+c.Path))
		}
		if o.diff && c.Outcome == generator.Removed {
			s.Out.Write(merge.Unified(c.Old, nil, "a/"+c.Path, "/dev/null"))
		}
	}
	var parts []string
	for _, oc := range []generator.Outcome{generator.Unchanged, generator.Updated, generator.Merged3, generator.Conflict,
		generator.Added, generator.Removed, generator.Kept, generator.UserDeleted} {
		if counts[oc] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[oc], oc))
		}
	}
	verb := "upgraded"
	if o.dryRun {
		verb = "dry run, nothing written"
	}
	fmt.Fprintf(s.Out, "%s from wsqgen %s to %s: %s\n", verb, p.From, p.To, strings.Join(parts, ", "))
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
