package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Action is what writing will do with one file.
type Action string

const (
	Create    Action = "create"    // the file does not exist yet
	Overwrite Action = "overwrite" // a different file is in the way (only with force)
	Keep      Action = "unchanged" // the file already has these bytes
)

// Step is one line of a plan.
type Step struct {
	Path   string `json:"path"`
	Action Action `json:"action"`
	Bytes  int    `json:"bytes"`
}

// Plan is what a write of a file set into a directory would do. Dry runs
// print it; Write carries it out.
type Plan struct {
	Dir   string `json:"dir"`
	Steps []Step `json:"files"`
	set   *FileSet
	fresh bool // the directory is missing or empty: write by one rename
}

// ErrNotEmpty is returned when the target directory holds files and the
// caller did not allow writing into it.
var ErrNotEmpty = errors.New("directory is not empty")

// PlanWrite compares a file set with the directory it is meant for. Without
// force, the directory must be missing or empty, so wsqgen never touches a
// user's files by accident.
func PlanWrite(dir string, set *FileSet, force bool) (*Plan, error) {
	p := &Plan{Dir: dir, set: set}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		p.fresh = true
	case err != nil:
		return nil, err
	case len(entries) == 0:
		p.fresh = true
	case !force:
		return nil, fmt.Errorf("%s: %w (use --force to write into it; files wsqgen does not generate are left alone)", dir, ErrNotEmpty)
	}
	for _, f := range set.Files {
		s := Step{Path: f.Path, Action: Create, Bytes: len(f.Data)}
		if !p.fresh {
			old, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
			switch {
			case err == nil && bytes.Equal(old, f.Data):
				s.Action = Keep
			case err == nil:
				s.Action = Overwrite
			case !errors.Is(err, fs.ErrNotExist):
				return nil, err
			}
		}
		p.Steps = append(p.Steps, s)
	}
	return p, nil
}

// Write carries out the plan. Every file is first written into a staging
// directory beside the target, so a failure part-way leaves nothing behind:
// a fresh project appears by a single rename, and files in an existing
// directory are each replaced by a rename.
func (p *Plan) Write() (err error) {
	parent := filepath.Dir(filepath.Clean(p.Dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	stage, err := os.MkdirTemp(parent, ".wsqgen-"+filepath.Base(p.Dir)+"-")
	if err != nil {
		return err
	}
	defer func() {
		if rmErr := os.RemoveAll(stage); err == nil && rmErr != nil {
			err = rmErr
		}
	}()
	for _, f := range p.set.Files {
		dst := filepath.Join(stage, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, f.Data, f.Mode); err != nil {
			return err
		}
	}
	if p.fresh {
		// An empty directory may be in the way of the rename.
		if err := os.Remove(p.Dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := os.Chmod(stage, 0o755); err != nil {
			return err
		}
		return os.Rename(stage, p.Dir)
	}
	for _, s := range p.Steps {
		if s.Action == Keep {
			continue
		}
		dst := filepath.Join(p.Dir, filepath.FromSlash(s.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(stage, filepath.FromSlash(s.Path)), dst); err != nil {
			return err
		}
	}
	return nil
}
