// Package prevtest stands in for an older wsqgen release in upgrade tests:
// the current template tree with known differences, so tests can generate
// a project "with the old version", edit it as a user would, and upgrade.
// Only tests import it.
package prevtest

import (
	"io/fs"
	"testing/fstest"

	"github.com/wsqgen/wsqgen/templates"
)

// Version is the version string the previous release renders with.
const Version = "v0.9.0"

// Differences between the previous release and the current templates, by
// template path. Tests rely on them; see Templates.
const (
	QueueTrailer     = "\n# Tuned by wsqgen v0.9: this comment is gone in the next release.\n"
	VariablesTrailer = "\n# Legacy setting, dropped in the next release.\n"
	LegacyDoc        = "docs/legacy.md"        // only the previous release generates it
	LegacyEditedDoc  = "docs/legacy-edited.md" // likewise; tests edit this one
	AddedFile        = ".gitignore"            // only the current release generates it
)

// Templates returns the previous release's template tree:
//   - terraform/queue.tf and terraform/variables.tf end in a trailer comment
//     that the current release dropped;
//   - it generates two docs the current release no longer has;
//   - it does not generate .gitignore.
func Templates() fs.FS {
	m := fstest.MapFS{}
	err := fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templates.FS, p)
		m[p] = &fstest.MapFile{Data: data, Mode: 0o644}
		return err
	})
	if err != nil {
		panic(err)
	}
	appendTo := func(p, s string) {
		f, ok := m[p]
		if !ok {
			panic("prevtest: no template " + p)
		}
		f.Data = append(append([]byte{}, f.Data...), s...)
	}
	appendTo("project/terraform/queue.tf.tmpl", QueueTrailer)
	appendTo("project/terraform/variables.tf.tmpl", VariablesTrailer)
	m["project/"+LegacyDoc+".raw"] = &fstest.MapFile{Data: []byte("# Legacy\n\nNotes the previous release shipped.\n")}
	m["project/"+LegacyEditedDoc+".raw"] = &fstest.MapFile{Data: []byte("# Legacy, edited\n\nMore notes the previous release shipped.\n")}
	if _, ok := m["project/"+AddedFile+".raw"]; !ok {
		panic("prevtest: no template " + AddedFile)
	}
	delete(m, "project/"+AddedFile+".raw")
	return m
}
