package generator

import (
	"path"
	"testing"
)

// Every rule must name files that exist, and no file may get its owner from
// two rules: otherwise a renamed template silently loses its condition, or
// its owner depends on map order.
func TestManifestRules(t *testing.T) {
	tree, err := loadTree()
	if err != nil {
		t.Fatal(err)
	}
	for pat := range rules {
		n := 0
		for _, src := range tree {
			if ok, _ := path.Match(pat, src.out); ok {
				n++
			}
		}
		if n == 0 {
			t.Errorf("rule %q matches no file of the template tree", pat)
		}
	}
	for _, src := range tree {
		var hits []string
		for pat, r := range rules {
			if ok, _ := path.Match(pat, src.out); ok && r.owner != "" {
				hits = append(hits, pat)
			}
		}
		if len(hits) > 1 {
			t.Errorf("%s gets its owner from several rules: %v", src.out, hits)
		}
	}
}

// Each conditional file appears exactly in the scenarios whose answers ask
// for it.
func TestManifestConditions(t *testing.T) {
	for _, name := range scenarioNames() {
		a := scenarios()[name]
		set, err := Render(a, goldenVersion)
		if err != nil {
			t.Fatal(err)
		}
		has := func(p string) bool { _, ok := set.Lookup(p); return ok }
		broadcast := a.Reply == "broadcast"
		hcl := a.IaC == "terraform" || a.IaC == "opentofu"
		for p, want := range map[string]bool{
			"terraform/registry.tf":          broadcast && hcl,
			"terraform/connections.tf":       !broadcast && hcl,
			"terraform/queue.tf":             hcl,
			"template.yaml":                  a.IaC == "sam",
			"cdk/stack.go":                   a.IaC == "cdk",
			"cdk/go.sum":                     a.IaC == "cdk",
			"api/connect-request.vtl":        broadcast,
			"terraform/ack.tf":               a.Ack && hcl,
			"api/ack-response.vtl":           a.Ack,
			"lambda/recipients_broadcast.go": broadcast,
			"lambda/recipients_sender.go":    a.Reply == "sender",
			"lambda/recipients_none.go":      a.Reply == "none",
			"lambda/processor.go":            true,
			RecordPath:                       true,
			BasePath:                         true,
		} {
			if has(p) != want {
				t.Errorf("%s: has %s = %v, want %v", name, p, has(p), want)
			}
		}
	}
}
