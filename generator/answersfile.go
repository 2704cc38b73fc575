package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// ApplyAnswersFile overlays the answers given in a YAML answers file onto a
// and returns the keys the file gave, so callers know which answers are
// still missing. Unknown keys and wrongly typed values are errors naming the
// key: a typo in a script must not silently fall back to a default.
func ApplyAnswersFile(a *Answers, name string, data []byte) ([]string, error) {
	var doc map[string]yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("answers file %s: %w", name, err)
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []string
	for _, k := range keys {
		node := doc[k]
		var err error
		switch k {
		case "schema_version":
			var v int
			if err = node.Decode(&v); err == nil && v != SchemaVersion {
				err = fmt.Errorf("%d is not supported (this wsqgen reads %d)", v, SchemaVersion)
			}
		case "name":
			err = node.Decode(&a.Name)
		case "module":
			err = node.Decode(&a.Module)
		case "queue":
			err = node.Decode(&a.Queue)
		case "group_by":
			err = node.Decode(&a.GroupBy)
		case "dedup":
			err = node.Decode(&a.Dedup)
		case "batch_size":
			err = node.Decode(&a.BatchSize)
		case "batch_window":
			err = node.Decode(&a.BatchWindow)
		case "iac":
			err = node.Decode(&a.IaC)
		case "reply":
			err = node.Decode(&a.Reply)
		case "ack":
			err = node.Decode(&a.Ack)
		case "auth":
			err = node.Decode(&a.Auth)
		case "arch":
			err = node.Decode(&a.Arch)
		case "timeout":
			err = node.Decode(&a.Timeout)
		case "memory":
			err = node.Decode(&a.Memory)
		default:
			err = fmt.Errorf("unknown key (known keys: %s)", strings.Join(Keys(), ", "))
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("answers file %s: key %s (line %d): %v", name, k, node.Line, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	return keys, nil
}

// MarshalAnswersFile writes answers in the answers-file format, so a user
// can save an interactive session's answers and replay them in scripts.
func MarshalAnswersFile(a Answers) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(fmt.Sprintf("schema_version: %d\n", SchemaVersion))
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(a); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
