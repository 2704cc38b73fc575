package generator

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/mod/module"
)

// SchemaVersion is the version of the answers schema written into every
// project record. Bump it (and add a migration) when an answer is renamed,
// removed or changes meaning.
const SchemaVersion = 1

// Answers is the single value every entry point (flags, answers file, form)
// fills in. Validate is the only judge of whether it can be rendered.
type Answers struct {
	Name        string `yaml:"name" json:"name"`
	Module      string `yaml:"module" json:"module"`
	Queue       string `yaml:"queue" json:"queue"`
	GroupBy     string `yaml:"group_by,omitempty" json:"group_by,omitempty"`
	Dedup       string `yaml:"dedup,omitempty" json:"dedup,omitempty"`
	BatchSize   int    `yaml:"batch_size" json:"batch_size"`
	BatchWindow int    `yaml:"batch_window" json:"batch_window"`
	IaC         string `yaml:"iac" json:"iac"`
	Reply       string `yaml:"reply" json:"reply"`
	Ack         bool   `yaml:"ack" json:"ack"`
	Auth        string `yaml:"auth" json:"auth"`
	Arch        string `yaml:"arch" json:"arch"`
	Timeout     int    `yaml:"timeout" json:"timeout"`
	Memory      int    `yaml:"memory" json:"memory"`
}

// Allowed values of the enumerated answers, in the order the form and the
// completions offer them (the first is the default).
var (
	Queues   = []string{"fifo", "standard"}
	GroupBys = []string{"connection", "field", "constant"}
	Dedups   = []string{"request", "content"}
	IaCs     = []string{"terraform", "opentofu", "sam", "cdk"}
	Replies  = []string{"sender", "broadcast", "none"}
	Auths    = []string{"none", "iam"}
	Arches   = []string{"arm64", "x86_64"}
)

// Field describes one answer: how the CLI flag and the answers-file key spell
// it. Errors name both so that whichever way the user gave the answer, they
// find it.
type Field struct {
	Flag string // without dashes; "" for the positional project name
	Key  string // answers-file key
}

// Fields lists every answer in the order errors and help present them.
var Fields = []Field{
	{"", "name"}, {"module", "module"}, {"queue", "queue"}, {"group-by", "group_by"},
	{"dedup", "dedup"}, {"batch-size", "batch_size"}, {"batch-window", "batch_window"},
	{"iac", "iac"}, {"reply", "reply"}, {"ack", "ack"}, {"auth", "auth"}, {"arch", "arch"},
	{"timeout", "timeout"}, {"memory", "memory"},
}

// MainQuestions are the answers-file keys of the answers a script must give
// (or accept with --yes): the ones that shape the architecture. The rest
// have safe defaults.
var MainQuestions = []string{"queue", "batch_size", "iac", "reply"}

// MainFlags are the flags of MainQuestions. Commands wsqgen prints for
// scripts always spell them out, so they run without a terminal and
// without --yes.
func MainFlags() []string {
	out := make([]string, len(MainQuestions))
	for i, k := range MainQuestions {
		out[i] = field(k).Flag
	}
	return out
}

// Limits of the numeric answers; the form shows the same numbers.
const (
	MaxBatchFIFO     = 10
	MaxBatchStandard = 10000
	MaxBatchWindow   = 300
	MinTimeout       = 1
	MaxTimeout       = 900
	MinMemory        = 128
	MaxMemory        = 10240
	// The event source mapping cannot take more than this without a
	// batching window of at least one second.
	batchNeedsWindow = 10
)

// Defaults returns the answers a user gets with --yes for the project name.
func Defaults(name string) Answers {
	return Answers{
		Name:        name,
		Module:      DefaultModule(name),
		Queue:       "fifo",
		GroupBy:     "connection",
		Dedup:       "request",
		BatchSize:   10,
		BatchWindow: 0,
		IaC:         "terraform",
		Reply:       "sender",
		Ack:         false,
		Auth:        "none",
		Arch:        "arm64",
		Timeout:     30,
		Memory:      256,
	}
}

// Complete fills in the answers that follow from others, for every answer
// the user did not give (given is keyed by answers-file key): the module path
// follows the name, and the FIFO-only answers are cleared on a standard
// queue. Flags, the answers file and the form all call it before Validate.
func (a *Answers) Complete(given map[string]bool) {
	if !given["module"] && a.Name != "" {
		a.Module = DefaultModule(a.Name)
	}
	if a.Queue == "standard" {
		if !given["group_by"] {
			a.GroupBy = ""
		}
		if !given["dedup"] {
			a.Dedup = ""
		}
	} else {
		d := Defaults(a.Name)
		if a.GroupBy == "" && !given["group_by"] {
			a.GroupBy = d.GroupBy
		}
		if a.Dedup == "" && !given["dedup"] {
			a.Dedup = d.Dedup
		}
	}
}

// DefaultModule is the Go module path used when --module is not given.
func DefaultModule(name string) string { return "example.com/" + name }

// Problem is one thing wrong with the answers. It knows which answer it is
// about so that the CLI can name the flag and the answers-file key.
type Problem struct {
	Field Field
	Msg   string // what is wrong, with the offending value
	Fix   string // what to do instead
}

func (p Problem) Error() string {
	return fmt.Sprintf("%s %s: %s", p.where(), p.Msg, p.Fix)
}

func (p Problem) where() string {
	if p.Field.Flag == "" {
		return "project name (answers key " + p.Field.Key + ")"
	}
	return "--" + p.Field.Flag + " (answers key " + p.Field.Key + ")"
}

// Problems is every problem Validate found; all are reported at once.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}[a-z0-9]$`)

func field(key string) Field {
	for _, f := range Fields {
		if f.Key == key {
			return f
		}
	}
	panic("generator: unknown answer key " + key)
}

// Validate checks the answers as a whole and returns every problem, or nil.
// The flags, the answers file and the form all go through it, so a rule lives
// in exactly one place.
func (a Answers) Validate() error {
	var ps Problems
	add := func(key, msg, fix string) { ps = append(ps, Problem{field(key), msg, fix}) }
	oneOf := func(key, v string, allowed []string) bool {
		for _, x := range allowed {
			if v == x {
				return true
			}
		}
		add(key, fmt.Sprintf("%q is not allowed", v), "use one of "+strings.Join(allowed, ", "))
		return false
	}

	if !nameRE.MatchString(a.Name) {
		add("name", fmt.Sprintf("%q is not a valid project name", a.Name),
			"use 2–32 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen (it prefixes every AWS resource name)")
	}
	if err := module.CheckPath(a.Module); err != nil {
		add("module", fmt.Sprintf("%q is not a valid Go module path (%v)", a.Module, err),
			"use a path such as example.com/"+a.Name)
	}
	queueOK := oneOf("queue", a.Queue, Queues)
	fifo := a.Queue == "fifo"
	switch {
	case fifo:
		oneOf("group_by", a.GroupBy, GroupBys)
		oneOf("dedup", a.Dedup, Dedups)
	case queueOK:
		if a.GroupBy != "" {
			add("group_by", fmt.Sprintf("%q is only allowed with --queue fifo", a.GroupBy),
				"drop --group-by or use --queue fifo (standard queues have no message groups)")
		}
		if a.Dedup != "" {
			add("dedup", fmt.Sprintf("%q is only allowed with --queue fifo", a.Dedup),
				"drop --dedup or use --queue fifo (standard queues do not deduplicate)")
		}
	}
	switch {
	case fifo && (a.BatchSize < 1 || a.BatchSize > MaxBatchFIFO):
		add("batch_size", fmt.Sprintf("%d is not allowed with --queue fifo (FIFO allows 1–%d)", a.BatchSize, MaxBatchFIFO),
			fmt.Sprintf("use --queue standard or a batch size of 1–%d", MaxBatchFIFO))
	case !fifo && (a.BatchSize < 1 || a.BatchSize > MaxBatchStandard):
		add("batch_size", fmt.Sprintf("%d is out of range (standard queues allow 1–%d)", a.BatchSize, MaxBatchStandard),
			fmt.Sprintf("use a batch size of 1–%d", MaxBatchStandard))
	}
	switch {
	case a.BatchWindow < 0 || a.BatchWindow > MaxBatchWindow:
		add("batch_window", fmt.Sprintf("%d seconds is out of range", a.BatchWindow),
			fmt.Sprintf("use 0–%d seconds", MaxBatchWindow))
	case fifo && a.BatchWindow != 0:
		add("batch_window", fmt.Sprintf("%d seconds is not allowed with --queue fifo (FIFO event sources have no batching window)", a.BatchWindow),
			"use --batch-window 0 or --queue standard")
	case !fifo && a.BatchSize > batchNeedsWindow && a.BatchWindow < 1:
		add("batch_window", fmt.Sprintf("%d seconds is not allowed with --batch-size %d (a batch size over %d needs a window)", a.BatchWindow, a.BatchSize, batchNeedsWindow),
			fmt.Sprintf("use --batch-window 1–%d or a batch size of 1–%d", MaxBatchWindow, batchNeedsWindow))
	}
	oneOf("iac", a.IaC, IaCs)
	oneOf("reply", a.Reply, Replies)
	oneOf("auth", a.Auth, Auths)
	oneOf("arch", a.Arch, Arches)
	if a.Timeout < MinTimeout || a.Timeout > MaxTimeout {
		add("timeout", fmt.Sprintf("%d seconds is out of range", a.Timeout),
			fmt.Sprintf("use %d–%d seconds", MinTimeout, MaxTimeout))
	} else if v := a.VisibilityTimeout(); v > maxVisibility {
		add("timeout", fmt.Sprintf("%d seconds makes the queue's visibility timeout %d s, over the SQS maximum of %d s", a.Timeout, v, maxVisibility),
			"use a shorter --timeout or --batch-window")
	}
	if a.Memory < MinMemory || a.Memory > MaxMemory {
		add("memory", fmt.Sprintf("%d MB is out of range", a.Memory),
			fmt.Sprintf("use %d–%d MB", MinMemory, MaxMemory))
	}
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// maxVisibility is the SQS limit for a queue's visibility timeout (12 hours).
const maxVisibility = 43200

// VisibilityTimeout follows the AWS guidance for queues that feed Lambda:
// at least six times the function timeout plus the batching window, so that
// a batch retried by the poller does not become visible while still in work.
func (a Answers) VisibilityTimeout() int {
	v := 6*a.Timeout + a.BatchWindow
	if v < 30 {
		v = 30
	}
	return v
}

// Flags returns the equivalent non-interactive command line for the answers,
// in a stable order, so a user can repeat an interactive run in a script.
// Answers at their defaults are left out unless their flag is named in always.
func (a Answers) Flags(always ...string) []string {
	d := Defaults(a.Name)
	var out []string
	keep := func(flag string, differs bool) bool {
		for _, f := range always {
			if f == flag {
				return true
			}
		}
		return differs
	}
	str := func(flag, v, def string) {
		if keep(flag, v != def) {
			out = append(out, "--"+flag, v)
		}
	}
	num := func(flag string, v, def int) {
		if keep(flag, v != def) {
			out = append(out, "--"+flag, fmt.Sprint(v))
		}
	}
	str("module", a.Module, d.Module)
	str("queue", a.Queue, d.Queue)
	if a.Queue == "fifo" {
		str("group-by", a.GroupBy, d.GroupBy)
		str("dedup", a.Dedup, d.Dedup)
	}
	num("batch-size", a.BatchSize, d.BatchSize)
	num("batch-window", a.BatchWindow, d.BatchWindow)
	str("iac", a.IaC, d.IaC)
	str("reply", a.Reply, d.Reply)
	if a.Ack {
		out = append(out, "--ack")
	}
	str("auth", a.Auth, d.Auth)
	str("arch", a.Arch, d.Arch)
	num("timeout", a.Timeout, d.Timeout)
	num("memory", a.Memory, d.Memory)
	return out
}

// Keys returns the answers-file keys sorted, for messages that list them.
func Keys() []string {
	ks := make([]string, 0, len(Fields))
	for _, f := range Fields {
		ks = append(ks, f.Key)
	}
	sort.Strings(ks)
	return ks
}
