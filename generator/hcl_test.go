package generator

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// tfModule is what one Terraform directory declares and references.
type tfModule struct {
	declared map[string]bool // "var.x", "local.x", "aws_x.y", "data.aws_x.y", "module.x"
	refs     []tfRef
}

type tfRef struct {
	name  string // the reference in declared's spelling
	where string // file:line
}

// parseTerraform parses every .tf file of each directory in the set and
// collects declarations and references. Parse errors fail the test.
func parseTerraform(t *testing.T, set *FileSet) map[string]*tfModule {
	t.Helper()
	mods := map[string]*tfModule{}
	for _, f := range set.Files {
		if !strings.HasSuffix(f.Path, ".tf") {
			continue
		}
		dir := path.Dir(f.Path)
		m := mods[dir]
		if m == nil {
			m = &tfModule{declared: map[string]bool{}}
			mods[dir] = m
		}
		file, diags := hclsyntax.ParseConfig(f.Data, f.Path, hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", f.Path, diags.Error())
		}
		body := file.Body.(*hclsyntax.Body)
		for _, b := range body.Blocks {
			switch b.Type {
			case "resource":
				m.declared[b.Labels[0]+"."+b.Labels[1]] = true
			case "data":
				m.declared["data."+b.Labels[0]+"."+b.Labels[1]] = true
			case "variable":
				m.declared["var."+b.Labels[0]] = true
			case "module":
				m.declared["module."+b.Labels[0]] = true
			case "locals":
				for name := range b.Body.Attributes {
					m.declared["local."+name] = true
				}
			}
		}
		for _, b := range body.Blocks {
			if b.Type == "variable" {
				// A type constraint (string, list(number)) is a keyword,
				// not a reference.
				for name, attr := range b.Body.Attributes {
					if name != "type" {
						addTraversals(attr.Expr, f.Path, nil, &m.refs)
					}
				}
				collectRefs(&hclsyntax.Body{Blocks: b.Body.Blocks}, f.Path, nil, &m.refs)
				continue
			}
			collectRefs(b.Body, f.Path, nil, &m.refs)
		}
		for _, attr := range body.Attributes {
			addTraversals(attr.Expr, f.Path, nil, &m.refs)
		}
	}
	return mods
}

// collectRefs walks a body and records every traversal in its expressions.
// Names bound by dynamic blocks and for expressions are local and skipped.
func collectRefs(body *hclsyntax.Body, file string, scope map[string]bool, out *[]tfRef) {
	for _, attr := range body.Attributes {
		addTraversals(attr.Expr, file, scope, out)
	}
	for _, b := range body.Blocks {
		inner := scope
		if b.Type == "dynamic" && len(b.Labels) == 1 {
			inner = map[string]bool{b.Labels[0]: true}
			for k := range scope {
				inner[k] = true
			}
			if it, ok := b.Body.Attributes["iterator"]; ok {
				inner[hcl.ExprAsKeyword(it.Expr)] = true
			}
		}
		collectRefs(b.Body, file, inner, out)
	}
}

func addTraversals(expr hclsyntax.Expression, file string, scope map[string]bool, out *[]tfRef) {
	local := map[string]bool{}
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		if fe, ok := n.(*hclsyntax.ForExpr); ok {
			local[fe.KeyVar] = true
			local[fe.ValVar] = true
		}
		return nil
	})
	for _, tr := range expr.Variables() {
		root := tr.RootName()
		if scope[root] || local[root] {
			continue
		}
		name := root
		switch root {
		case "path", "terraform", "each", "count", "self":
			continue
		case "var", "local", "module":
			name = root + "." + attrName(tr, 1)
		case "data":
			name = "data." + attrName(tr, 1) + "." + attrName(tr, 2)
		default:
			name = root + "." + attrName(tr, 1)
		}
		*out = append(*out, tfRef{name, fmt.Sprintf("%s:%d", file, tr.SourceRange().Start.Line)})
	}
}

func attrName(tr hcl.Traversal, i int) string {
	if i < len(tr) {
		if a, ok := tr[i].(hcl.TraverseAttr); ok {
			return a.Name
		}
	}
	return "?"
}

// Every reference in the generated Terraform must name something the
// configuration declares: a misspelled resource or variable fails here long
// before anyone runs terraform.
func TestTerraformReferencesResolve(t *testing.T) {
	for _, name := range scenarioNames() {
		a := scenarios()[name]
		if !NewView(a, goldenVersion).IaCHCL {
			continue // no Terraform in this project
		}
		t.Run(name, func(t *testing.T) {
			set, err := Render(a, goldenVersion)
			if err != nil {
				t.Fatal(err)
			}
			mods := parseTerraform(t, set)
			if len(mods) == 0 {
				t.Fatal("no Terraform files generated")
			}
			for dir, m := range mods {
				var missing []string
				for _, r := range m.refs {
					if !m.declared[r.name] {
						missing = append(missing, r.where+": "+r.name)
					}
				}
				sort.Strings(missing)
				for _, s := range missing {
					t.Errorf("%s: undeclared reference %s", dir, s)
				}
			}
		})
	}
}

// The checker itself must catch a broken reference, or the test above
// proves nothing.
func TestTerraformReferenceCheckCatchesTypos(t *testing.T) {
	set := &FileSet{Files: []File{{Path: "tf/main.tf", Data: []byte(`
variable "name" {}
resource "aws_sqs_queue" "main" {
  name = "${var.nme}-q"
}
output "x" {
  value = [for q in [aws_sqs_queue.mian] : q.arn]
}
`)}}}
	m := parseTerraform(t, set)["tf"]
	var missing []string
	for _, r := range m.refs {
		if !m.declared[r.name] {
			missing = append(missing, r.name)
		}
	}
	sort.Strings(missing)
	if got, want := strings.Join(missing, ","), "aws_sqs_queue.mian,var.nme"; got != want {
		t.Errorf("undeclared references: got %q, want %q", got, want)
	}
}
