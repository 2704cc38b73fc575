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

// rules is keyed by output path patterns (path.Match syntax). A path matched
// by no pattern is always generated and merged on upgrade. Keeping these
// decisions in Go keeps the template tree free of logic.
var rules = map[string]rule{
	"lambda/config.go":    {owner: Owned},
	"lambda/processor.go": {owner: Seeded},
	"go.sum":              {owner: Owned},

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
}

// ruleFor returns the rule for an output path. Patterns are disjoint; a
// test keeps them so.
func ruleFor(p string) rule {
	for pat, r := range rules {
		if ok, _ := path.Match(pat, p); ok {
			return r
		}
	}
	return rule{}
}
