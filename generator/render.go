package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/wsqgen/wsqgen/templates"
)

// File is one generated file, held in memory until a plan decides what to do
// with it.
type File struct {
	Path  string      // slash-separated, relative to the project root
	Data  []byte      // final bytes: rendered, formatted, with header
	Mode  fs.FileMode // permission bits
	Owner Ownership
}

// Hash is the file's content hash as recorded in the project record.
func (f File) Hash() string {
	return hashOf(f.Data)
}

// FileSet is the complete output of one render, sorted by path. The same
// value feeds writing, dry runs, golden tests and (later) upgrades and checks.
type FileSet struct {
	Files []File
}

// Lookup returns the file at p, if the set has it.
func (s *FileSet) Lookup(p string) (File, bool) {
	i := sort.Search(len(s.Files), func(i int) bool { return s.Files[i].Path >= p })
	if i < len(s.Files) && s.Files[i].Path == p {
		return s.Files[i], true
	}
	return File{}, false
}

// Template source tree inside templates.FS and the suffixes that say how a
// file is turned into output.
const (
	treeRoot     = "project"
	suffixTmpl   = ".tmpl"
	suffixRaw    = ".raw"
	templateName = "wsqgen"
)

// source is one parsed entry of the template tree.
type source struct {
	out  string             // output path
	raw  []byte             // for .raw files
	tmpl *template.Template // for .tmpl files
}

// The tree is embedded and immutable, so it is parsed once per process.
var loadTree = sync.OnceValues(func() ([]source, error) { return parseTree(templates.FS) })

func parseTree(fsys fs.FS) ([]source, error) {
	var out []source
	err := fs.WalkDir(fsys, treeRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimPrefix(p, treeRoot+"/")
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(rel, suffixTmpl):
			t, err := template.New(rel).Funcs(funcs()).Option("missingkey=error").Parse(string(data))
			if err != nil {
				return fmt.Errorf("template %s: %w", rel, err)
			}
			out = append(out, source{out: strings.TrimSuffix(rel, suffixTmpl), tmpl: t})
		case strings.HasSuffix(rel, suffixRaw):
			out = append(out, source{out: strings.TrimSuffix(rel, suffixRaw), raw: data})
		case path.Base(rel) == ".keep":
		default:
			return fmt.Errorf("template tree: %s has neither a %s nor a %s suffix", rel, suffixTmpl, suffixRaw)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].out < out[j].out })
	return out, err
}

// funcs is the allow-listed subset of sprig's hermetic functions. Anything
// reading the clock, the environment or a random source would break
// byte-identical output, so it is not offered.
func funcs() template.FuncMap {
	all := sprig.HermeticTxtFuncMap()
	m := template.FuncMap{}
	for _, name := range []string{"quote", "squote", "join", "upper", "lower", "trim", "replace", "indent", "nindent", "toJson"} {
		f, ok := all[name]
		if !ok {
			panic("generator: sprig has no function " + name)
		}
		m[name] = f
	}
	return m
}

// Render turns answers into the complete file set of a project from the
// embedded templates. It is pure: no file system, clock or environment is
// read, so the same answers and version always give the same bytes.
func Render(a Answers, version string) (*FileSet, error) {
	tree, err := loadTree()
	if err != nil {
		return nil, err
	}
	return render(tree, a, version)
}

// RenderFS renders from another template tree (rooted at "project" like
// templates.FS). Tests use it to stand in for an older wsqgen.
func RenderFS(fsys fs.FS, a Answers, version string) (*FileSet, error) {
	tree, err := parseTree(fsys)
	if err != nil {
		return nil, err
	}
	return render(tree, a, version)
}

func render(tree []source, a Answers, version string) (*FileSet, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	v := NewView(a, version)
	set := &FileSet{}
	// Tool-neutral API files (the request template and friends) are
	// rendered first: IaC tools that cannot load a file at deploy time
	// inline their exact text from View.APIFiles, so every tool deploys the
	// same bytes.
	v.APIFiles = map[string]string{}
	for _, phase := range []func(string) bool{isAPIFile, func(p string) bool { return !isAPIFile(p) }} {
		for _, src := range tree {
			if !phase(src.out) {
				continue
			}
			f, ok, err := renderOne(src, v, version)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if isAPIFile(f.Path) {
				v.APIFiles[path.Base(f.Path)] = string(f.Data)
			}
			set.Files = append(set.Files, f)
		}
	}
	sort.Slice(set.Files, func(i, j int) bool { return set.Files[i].Path < set.Files[j].Path })
	rec, err := NewRecord(a, version, set).Marshal()
	if err != nil {
		return nil, err
	}
	// The base archive lets a later upgrade merge against exactly what was
	// generated, with no network and no old wsqgen at hand.
	set.Files = append(set.Files,
		File{Path: RecordPath, Data: rec, Mode: 0o644, Owner: Owned},
		File{Path: BasePath, Data: MarshalArchive(set.Files), Mode: 0o644, Owner: Owned})
	sort.Slice(set.Files, func(i, j int) bool { return set.Files[i].Path < set.Files[j].Path })
	return set, nil
}

func isAPIFile(p string) bool { return strings.HasPrefix(p, "api/") }

// renderOne renders one template-tree entry, or reports that the manifest
// leaves it out for these answers.
func renderOne(src source, v View, version string) (File, bool, error) {
	r := ruleFor(src.out)
	if r.when != nil && !r.when(v) {
		return File{}, false, nil
	}
	data := src.raw
	if src.tmpl != nil {
		var buf bytes.Buffer
		if err := src.tmpl.Execute(&buf, v); err != nil {
			return File{}, false, fmt.Errorf("render %s: %w", src.out, err)
		}
		data = buf.Bytes()
	}
	owner := r.owner
	if owner == "" {
		owner = Merged
	}
	data, err := formatFile(src.out, withHeader(src.out, owner, version, data))
	if err != nil {
		return File{}, false, err
	}
	return File{Path: src.out, Data: data, Mode: modeFor(src.out), Owner: owner}, true, nil
}

func modeFor(p string) fs.FileMode {
	if strings.HasSuffix(p, ".sh") {
		return 0o755
	}
	return 0o644
}

// formatFile gives generated code the formatting its language's own tools
// insist on, so users never see a diff from gofmt or terraform fmt, and
// rejects output that does not parse: a template bug, caught at render time.
func formatFile(p string, data []byte) ([]byte, error) {
	switch {
	case strings.HasSuffix(p, ".go"):
		out, err := format.Source(data)
		if err != nil {
			return nil, fmt.Errorf("render %s: generated Go does not parse: %w", p, err)
		}
		return out, nil
	case strings.HasSuffix(p, ".tf") || strings.HasSuffix(p, ".hcl"):
		if _, diags := hclsyntax.ParseConfig(data, p, hcl.InitialPos); diags.HasErrors() {
			return nil, fmt.Errorf("render %s: generated HCL does not parse: %s", p, diags.Error())
		}
		return hclwrite.Format(data), nil
	case strings.HasSuffix(p, ".json"):
		if !json.Valid(data) {
			return nil, fmt.Errorf("render %s: generated JSON is not valid", p)
		}
	}
	return data, nil
}

// withHeader marks each file with the wsqgen version and with who owns it,
// in the comment syntax of its language. Files whose language has no
// comments (JSON, VTL, go.sum) or whose tools rewrite them (go.mod) carry
// none; the record covers them.
func withHeader(p string, owner Ownership, version string, data []byte) []byte {
	var text string
	switch owner {
	case Owned:
		text = "Code generated by wsqgen " + version + ". DO NOT EDIT."
	case Seeded:
		text = "Written once by wsqgen " + version + ". This file is yours: wsqgen upgrade never changes it."
	default:
		text = "Generated by wsqgen " + version + ". Edit freely: wsqgen upgrade merges your changes with newer templates."
	}
	var line string
	switch base := path.Base(p); {
	case strings.HasSuffix(base, ".go"):
		line = "// " + text + "\n\n"
	case strings.HasSuffix(base, ".tf") || strings.HasSuffix(base, ".hcl") || base == "Makefile" ||
		base == ".gitignore" || strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml") ||
		strings.HasSuffix(base, ".toml") || strings.HasSuffix(base, ".sh"):
		line = "# " + text + "\n\n"
	case strings.HasSuffix(base, ".md"):
		line = "<!-- " + text + " -->\n\n"
	default:
		return data
	}
	return append([]byte(line), data...)
}
