// Package generator turns answers into a project, and nothing else: it reads
// no flags, prompts for nothing and, until a plan is written, touches no
// files. The data flow is
//
//	flags / answers file / form ─► Answers ─► Validate ─► Render ─► FileSet ─► PlanWrite ─► Write
//
// Answers is one typed value whatever filled it in. Complete derives the
// answers that follow from others (the module path from the name; FIFO-only
// answers cleared on standard queues) and Validate is the only judge of
// what can be rendered: it reports every problem at once, each naming the
// CLI flag, the answers-file key and the fix, so the CLI, the answers file
// and the interactive form never disagree about a rule.
//
// Render is pure: validated answers and the wsqgen version in, an in-memory
// FileSet out, byte-identical for the same inputs. Templates live in
// package templates; the manifest here (rules) decides which of them a
// project gets and who owns each file (Merged, Owned, Seeded), so templates
// hold no logic beyond blocks chosen by View booleans. View is computed in
// Go from the answers: every default, limit and derived value (the
// visibility timeout is six times the function timeout plus the batching
// window) is decided here and nowhere else. Go output goes through
// go/format and Terraform through hclwrite, and output that does not parse
// fails the render, so a template bug cannot reach a user as a broken file.
//
// Every project carries a record (wsqgen.json): the wsqgen version, the
// answers with their schema version, and the hash and ownership of every
// generated file. Upgrades and checks start from it.
//
// PlanWrite compares a FileSet with the target directory; dry runs print the
// plan, Write carries it out through a staging directory beside the target,
// so a failed run leaves nothing half-written.
//
// Golden files under golden/ pin the output of each scenario in
// golden_test.go; `go test ./generator -update` rewrites them, and the diff
// must be read before it is committed. The golden Go modules are vetted,
// built and tested, and every Terraform reference is resolved, by the tests
// in this package.
package generator
