package generator

import "path"

// Ownership says what wsqgen may do to a file after it first wrote it.
type Ownership string

const (
	// Merged files are the default: the user may edit them and upgrades
	// merge the user's changes with the new templates.
	Merged Ownership = "merged"
	// Owned files are always regenerated; users change the answers, not
	// the file. They carry a "DO NOT EDIT" header where the language has one.
	Owned Ownership = "owned"
	// Seeded files are written once and belong to the user from then on,
	// such as the business-logic seam of the function.
	Seeded Ownership = "seeded"
)

// rule decides whether an output path is part of a project and who owns it.
type rule struct {
	when  func(View) bool // nil means always
	owner Ownership       // "" means Merged
}

// rules is keyed by output path patterns (path.Match syntax). A file is
// generated when every rule matching its path allows it (so a folder rule
// and a file rule combine), and at most one matching rule may set its owner.
// A path matched by no pattern is always generated and merged on upgrade.
// Keeping these decisions in Go keeps the template tree free of logic.
var rules = map[string]rule{
	"lambda/config.go":         {owner: Owned},
	"lambda/processor.go":      {owner: Seeded},
	"lambda/processor_test.go": {owner: Seeded},
	"go.sum":                   {owner: Owned},

	"lambda/recipients_sender*.go":    {when: func(v View) bool { return v.Sender }},
	"lambda/recipients_broadcast*.go": {when: func(v View) bool { return v.Broadcast }},
	"lambda/recipients_none*.go":      {when: func(v View) bool { return v.NoReply }},

	"api/ack-response.vtl":   {when: func(v View) bool { return v.Ack }},
	"api/error-response.vtl": {when: func(v View) bool { return v.Ack }},
	"terraform/ack.tf":       {when: func(v View) bool { return v.Ack }},

	// $connect/$disconnect: DynamoDB integrations maintaining the registry
	// for broadcast, MOCK integrations otherwise. Both define the same
	// addresses, so exactly one of the two files is generated.
	"api/connect-request.vtl":    {when: func(v View) bool { return v.Broadcast }},
	"api/disconnect-request.vtl": {when: func(v View) bool { return v.Broadcast }},
	"terraform/registry.tf":      {when: func(v View) bool { return v.Broadcast }},
	"terraform/connections.tf":   {when: func(v View) bool { return !v.Broadcast }},

	// Infrastructure, by IaC tool.
	"terraform/*":    {when: func(v View) bool { return v.IaCHCL }},
	"terraform/*/*":  {when: func(v View) bool { return v.IaCHCL }},
	"template.yaml":  {when: func(v View) bool { return v.IaCSAM }},
	"samconfig.toml": {when: func(v View) bool { return v.IaCSAM }},
	"cdk/*":          {when: func(v View) bool { return v.IaCCDK }},
	"cdk/go.sum":     {owner: Owned},
}

// ruleFor combines the rules matching an output path into one.
func ruleFor(p string) rule {
	var whens []func(View) bool
	var owner Ownership
	for pat, r := range rules {
		if ok, _ := path.Match(pat, p); ok {
			if r.when != nil {
				whens = append(whens, r.when)
			}
			if r.owner != "" {
				owner = r.owner
			}
		}
	}
	combined := rule{owner: owner}
	if len(whens) > 0 {
		combined.when = func(v View) bool {
			for _, w := range whens {
				if !w(v) {
					return false
				}
			}
			return true
		}
	}
	return combined
}
